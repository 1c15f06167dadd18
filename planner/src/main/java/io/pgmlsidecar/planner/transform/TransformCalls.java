package io.pgmlsidecar.planner.transform;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.pgmlsidecar.ml.remote.Endpoint;
import io.pgmlsidecar.ml.transformers.TransformTask;
import io.pgmlsidecar.planner.remote.RemoteTransforms;
import io.pgmlsidecar.planner.values.JsonbText;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.function.Consumer;

/**
 * pgml.transform and pgml.transform_stream: checks the whitelist, then sends the call to the remote
 * chat endpoint the model names (pgml.remote_models, {@code openai:<model>}) or to the local runtime.
 */
public final class TransformCalls {
    private final LocalTransforms local;
    private final RemoteTransforms remote;

    public TransformCalls(LocalTransforms local, RemoteTransforms remote) {
        this.local = local;
        this.remote = remote;
    }

    /** transform(task, args, inputs, cache) → jsonb text; NULL task or inputs give NULL (STRICT). */
    public String transform(SessionContext session, List<String> a) {
        if (a.get(0) == null || a.get(2) == null) {
            return null;
        }
        TransformArguments call = TransformArguments.ofArray(a.get(0), a.get(1), a.get(2));
        Endpoint endpoint = route(session, call);
        if (endpoint != null) {
            return remote.transform(endpoint, call.taskName(), call.args(), call.inputs());
        }
        return JsonbText.of(local.transform(session, call));
    }

    /**
     * transform over many argument rows (a query's rows): rows that share task and args and name a
     * local model are run as one batch.
     */
    public Object[] transformRows(SessionContext session, List<String[]> rows) {
        Object[] out = new Object[rows.size()];
        java.util.Map<String, List<Integer>> groups = new java.util.LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            if (r[0] == null || r[2] == null) {
                continue; // STRICT: NULL
            }
            groups.computeIfAbsent(r[0] + '\u0000' + r[1], k -> new java.util.ArrayList<>()).add(i);
        }
        for (List<Integer> group : groups.values()) {
            String[] first = rows.get(group.get(0));
            TransformArguments probe = TransformArguments.ofArray(first[0], first[1], first[2]);
            Endpoint endpoint = route(session, probe);
            if (endpoint != null) {
                for (int i : group) {
                    String[] r = rows.get(i);
                    out[i] = remote.transform(endpoint, probe.taskName(), probe.args(), TransformArguments.ofArray(r[0], r[1], r[2]).inputs());
                }
                continue;
            }
            List<TransformArguments> calls = new java.util.ArrayList<>(group.size());
            for (int i : group) {
                String[] r = rows.get(i);
                calls.add(TransformArguments.ofArray(r[0], r[1], r[2]));
            }
            List<com.fasterxml.jackson.databind.JsonNode> results = local.transformRows(session, calls);
            for (int k = 0; k < group.size(); k++) {
                out[group.get(k)] = JsonbText.of(results.get(k));
            }
        }
        return out;
    }

    /**
     * transform_stream(task, args, input | inputs, cache): hands {@code rows} one jsonb text per
     * generation step, a JSON array with the new text of each sequence.
     */
    public void stream(SessionContext session, List<String> a, Consumer<String> rows) {
        if (a.get(0) == null || a.get(2) == null) {
            return;
        }
        TransformArguments call = TransformArguments.ofStream(a.get(0), a.get(1), a.get(2));
        Endpoint endpoint = route(session, call);
        if (endpoint != null) {
            throw new PgException(PgError.error("0A000", "pgml.transform_stream is not served for remote models",
                    "Use pgml.transform with the remote model, or a local model for streaming."));
        }
        local.stream(session, call, texts -> {
            ArrayNode row = JsonNodeFactory.instance.arrayNode(texts.size());
            texts.forEach(row::add);
            rows.accept(JsonbText.of(row));
        });
    }

    /** The remote endpoint to call, or null for the local runtime (which comes first for models it has loaded). */
    private Endpoint route(SessionContext session, TransformArguments call) {
        String model = call.model();
        HuggingFaceWhitelist.check(session, model != null ? model : defaultModel(call.taskName()));
        return local.servesLocally(model) ? null : remote.chatEndpoint(session, model);
    }

    private static String defaultModel(String task) {
        try {
            return TransformTask.parse(task).task().defaultModel();
        } catch (RuntimeException e) {
            return task; // the runtime reports the unknown task
        }
    }
}
