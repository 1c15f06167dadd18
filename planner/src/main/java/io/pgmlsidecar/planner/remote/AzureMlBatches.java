package io.pgmlsidecar.planner.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the azure_ml.invoke calls of many rows into fewer requests when the endpoint takes batches:
 * with the setting {@value #MAX_ROWS_SETTING} above 1, calls whose input_data is an MLflow-style
 * object ({@code {"input_data": {"columns": …, "index": …, "data": [[…], …]}}}) and whose other
 * fields and call options are equal are sent as one request of at most that many data rows; the
 * endpoint's reply, a JSON array with one element per data row, is cut back into each call's part.
 * The merging is opt-in because only the endpoint's owner knows that its model scores rows
 * independently.
 */
final class AzureMlBatches {
    static final String MAX_ROWS_SETTING = "azure_ml.max_batch_rows";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request: the calls it serves (indexes into the distinct calls) and their data-row counts. */
    record Batch(List<Integer> calls, List<Integer> rows, String input) {
        boolean merged() {
            return calls.size() > 1;
        }
    }

    private AzureMlBatches() {}

    /** The requests for {@code calls} (argument rows of distinct calls), each call in exactly one. */
    static List<Batch> plan(List<List<String>> calls, int maxRows) {
        List<Batch> out = new ArrayList<>();
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int k = 0; k < calls.size(); k++) {
            String key = maxRows > 1 ? mergeKey(calls.get(k)) : null;
            if (key == null) {
                out.add(new Batch(List.of(k), List.of(-1), calls.get(k).get(0)));
            } else {
                groups.computeIfAbsent(key, x -> new ArrayList<>()).add(k);
            }
        }
        for (List<Integer> group : groups.values()) {
            List<Integer> members = new ArrayList<>();
            List<Integer> counts = new ArrayList<>();
            int total = 0;
            for (int k : group) {
                int n = data(calls.get(k).get(0)).size();
                if (!members.isEmpty() && total + n > maxRows) {
                    out.add(batch(calls, members, counts));
                    members = new ArrayList<>();
                    counts = new ArrayList<>();
                    total = 0;
                }
                members.add(k);
                counts.add(n);
                total += n;
            }
            out.add(batch(calls, members, counts));
        }
        return out;
    }

    /** Each call's part of a merged reply, or null when the reply is not one element per data row. */
    static List<JsonNode> split(Batch batch, JsonNode reply) {
        int total = batch.rows().stream().mapToInt(Integer::intValue).sum();
        if (reply == null || !reply.isArray() || reply.size() != total) {
            return null;
        }
        List<JsonNode> parts = new ArrayList<>();
        int at = 0;
        for (int n : batch.rows()) {
            ArrayNode part = JsonNodeFactory.instance.arrayNode(n);
            for (int i = 0; i < n; i++) {
                part.add(reply.get(at + i));
            }
            parts.add(part);
            at += n;
        }
        return parts;
    }

    private static Batch batch(List<List<String>> calls, List<Integer> members, List<Integer> counts) {
        if (members.size() == 1) {
            return new Batch(members, List.of(-1), calls.get(members.get(0)).get(0));
        }
        ObjectNode merged = (ObjectNode) parse(calls.get(members.get(0)).get(0)).deepCopy();
        ObjectNode inputData = (ObjectNode) merged.get("input_data");
        ArrayNode data = inputData.putArray("data");
        ArrayNode index = inputData.has("index") ? inputData.putArray("index") : null;
        for (int k : members) {
            JsonNode in = parse(calls.get(k).get(0)).get("input_data");
            in.get("data").forEach(data::add);
            if (index != null) {
                in.get("index").forEach(index::add);
            }
        }
        return new Batch(members, counts, merged.toString());
    }

    /** What must be equal for two calls to share a request; null when the input is not mergeable. */
    private static String mergeKey(List<String> call) {
        JsonNode in = parse(call.get(0));
        if (in == null || !in.isObject() || !in.path("input_data").isObject() || !in.path("input_data").path("data").isArray()
                || in.path("input_data").path("data").isEmpty()) {
            return null;
        }
        JsonNode index = in.path("input_data").get("index");
        if (index != null && (!index.isArray() || index.size() != in.path("input_data").get("data").size())) {
            return null;
        }
        ObjectNode shape = (ObjectNode) in.deepCopy();
        ((ObjectNode) shape.get("input_data")).remove(List.of("data", "index"));
        return shape + "\u0000" + String.join("\u0000", call.subList(1, call.size()).stream().map(String::valueOf).toList());
    }

    private static JsonNode data(String input) {
        return parse(input).path("input_data").path("data");
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }
}
