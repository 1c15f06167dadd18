package io.pgmlsidecar.ml.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenAI-compatible embeddings and chat completions (OpenAI, Azure OpenAI, vLLM, TGI, Ollama). Embeddings of
 * all callers of an endpoint are merged and cut into requests of the endpoint's batch size.
 */
public final class OpenAiClient {
    private final Function<Endpoint, EndpointScheduler> schedulers;
    private final JsonHttp http;

    OpenAiClient(Function<Endpoint, EndpointScheduler> schedulers, JsonHttp http) {
        this.schedulers = schedulers;
        this.http = http;
    }

    /** Keys of batched embeddings requests: inputs share a request only for the same endpoint and options. */
    private record EmbeddingsBatch(Endpoint endpoint, Map<String, ?> options) {}

    /**
     * One vector per text, in order (null for a null text). {@code options} go into the request body
     * ({@code dimensions}, {@code user}, {@code model} to override the endpoint's model).
     */
    public float[][] embed(Endpoint endpoint, List<String> texts, Map<String, ?> options, CallOptions call) {
        URI uri = endpoint.uri(Endpoint.Operation.EMBEDDINGS);
        Map<String, ?> opts = RequestOptions.copy(options);
        RequestOptions.refuse(opts, "input", "the texts are the input");
        Object format = opts.get("encoding_format");
        if (format != null && !"float".equals(format)) {
            throw RemoteCallException.configuration("encoding_format '" + format + "' is not supported",
                    "leave encoding_format out: vectors are read as float arrays");
        }
        List<float[]> vectors = schedulers.apply(endpoint).callBatched(new EmbeddingsBatch(endpoint, opts),
                (inputs, timeout) -> {
                    ObjectNode body = body(endpoint, opts);
                    body.set("input", JsonHttp.JSON.valueToTree(inputs));
                    return readEmbeddings(http.post(endpoint, uri, Map.of(), body, timeout), inputs.size());
                }, texts, call);
        return vectors.toArray(float[][]::new);
    }

    /**
     * The assistant's answer(s) to {@code messages} (a JSON array of {@code {"role", "content"}}), one per
     * choice ({@code n} in {@code options}); {@code options} go into the body ({@code temperature},
     * {@code max_tokens}, …). A choice without text content (a tool call) gives null.
     */
    public List<String> chat(Endpoint endpoint, JsonNode messages, Map<String, ?> options, CallOptions call) {
        URI uri = endpoint.uri(Endpoint.Operation.CHAT);
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw RemoteCallException.configuration("chat messages must be a non-empty JSON array",
                    "e.g. [{\"role\": \"user\", \"content\": \"Hello\"}]");
        }
        Map<String, ?> opts = RequestOptions.copy(options);
        RequestOptions.refuse(opts, "messages", "pass the messages as the messages argument");
        if (Boolean.TRUE.equals(opts.get("stream"))) {
            throw RemoteCallException.configuration("streamed chat completions are not supported here", "leave stream out");
        }
        ObjectNode body = body(endpoint, opts);
        body.set("messages", messages);
        return schedulers.apply(endpoint).call(
                timeout -> readChoices(http.post(endpoint, uri, Map.of(), body, timeout)), call);
    }

    private static ObjectNode body(Endpoint endpoint, Map<String, ?> options) {
        ObjectNode body = JsonHttp.JSON.createObjectNode();
        if (endpoint.model() != null) body.put("model", endpoint.model());
        options.forEach((k, v) -> body.set(k, JsonHttp.JSON.valueToTree(v)));
        return body;
    }

    /** {@code data[i].embedding}, placed by {@code data[i].index}. */
    static List<float[]> readEmbeddings(JsonReply reply, int expected) {
        JsonNode data = reply.json().get("data");
        if (data == null || !data.isArray()) throw reply.malformed("no data array");
        if (data.size() != expected) throw reply.malformed(data.size() + " embeddings for " + expected + " inputs");
        float[][] vectors = new float[expected][];
        for (int i = 0; i < expected; i++) {
            JsonNode item = data.get(i);
            int index = item.path("index").isInt() ? item.get("index").intValue() : i;
            if (index < 0 || index >= expected || vectors[index] != null) {
                throw reply.malformed("an embedding with a missing, repeated or out-of-range index " + index);
            }
            float[] v = JsonFloats.of(item.get("embedding"));
            if (v == null) throw reply.malformed("an embedding that is not an array of numbers");
            vectors[index] = v;
        }
        return List.of(vectors);
    }

    /** {@code choices[i].message.content}, ordered by {@code choices[i].index}. */
    static List<String> readChoices(JsonReply reply) {
        JsonNode choices = reply.json().get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) throw reply.malformed("no choices");
        String[] texts = new String[choices.size()];
        boolean[] seen = new boolean[choices.size()];
        for (int i = 0; i < choices.size(); i++) {
            JsonNode choice = choices.get(i);
            int index = choice.path("index").isInt() ? choice.get("index").intValue() : i;
            if (index < 0 || index >= texts.length || seen[index]) throw reply.malformed("choices with bad indexes");
            JsonNode message = choice.get("message");
            if (message == null || !message.isObject()) throw reply.malformed("a choice without a message");
            JsonNode content = message.get("content");
            texts[index] = content == null || content.isNull() ? null : content.isTextual() ? content.textValue() : content.toString();
            seen[index] = true;
        }
        return Arrays.asList(texts);
    }
}
