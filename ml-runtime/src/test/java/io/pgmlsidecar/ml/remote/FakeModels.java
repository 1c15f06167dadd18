package io.pgmlsidecar.ml.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Replies of a fake embedding model for the stand-ins: a text's vector is {@code [length, first char]}. */
final class FakeModels {
    static final ObjectMapper JSON = new ObjectMapper();

    private FakeModels() {}

    static float[] vector(String text) {
        return new float[] {text.length(), text.isEmpty() ? 0 : text.charAt(0)};
    }

    static List<String> inputs(StandIn.Seen request) throws Exception {
        List<String> out = new ArrayList<>();
        JSON.readTree(request.body()).get("input").forEach(t -> out.add(t.asText()));
        return out;
    }

    /** An OpenAI embeddings reply, its {@code data} in reverse order (clients must place them by index). */
    static StandIn.Reply openAiEmbeddings(StandIn.Seen request) throws Exception {
        List<String> texts = inputs(request);
        ObjectNode reply = JSON.createObjectNode().put("object", "list").put("model", "fake");
        ArrayNode data = reply.putArray("data");
        for (int i = texts.size() - 1; i >= 0; i--) {
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            ArrayNode v = item.putArray("embedding");
            for (float x : vector(texts.get(i))) v.add(x);
        }
        return StandIn.Reply.json(reply.toString());
    }

    static JsonNode body(StandIn.Seen request) throws Exception {
        return JSON.readTree(request.body());
    }
}
