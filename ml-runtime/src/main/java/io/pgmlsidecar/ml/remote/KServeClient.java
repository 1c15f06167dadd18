package io.pgmlsidecar.ml.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * KServe / Triton open inference protocol v2: texts go in as one BYTES tensor of shape {@code [n]}, and one
 * numeric output of shape {@code [n, ...]} comes back as a float row per text. Calls of all sessions are
 * merged into requests of the endpoint's batch size.
 */
public final class KServeClient {
    /** Option naming the input tensor (default {@value #DEFAULT_INPUT}). */
    public static final String INPUT_NAME = "input_name";
    /** Option naming the output tensor to read (default: the first one). */
    public static final String OUTPUT_NAME = "output_name";
    static final String DEFAULT_INPUT = "input";

    private final Function<Endpoint, EndpointScheduler> schedulers;
    private final JsonHttp http;

    KServeClient(Function<Endpoint, EndpointScheduler> schedulers, JsonHttp http) {
        this.schedulers = schedulers;
        this.http = http;
    }

    /** Keys of batched infer requests: inputs share a request only for the same endpoint and options. */
    private record InferBatch(Endpoint endpoint, Map<String, ?> options) {}

    /**
     * One float row per text, in order (null for a null text). {@code options}: {@value #INPUT_NAME},
     * {@value #OUTPUT_NAME}; any other entries are sent as the request's {@code parameters}.
     */
    public float[][] infer(Endpoint endpoint, List<String> texts, Map<String, ?> options, CallOptions call) {
        URI uri = endpoint.uri(Endpoint.Operation.INFER);
        Map<String, ?> opts = RequestOptions.copy(options);
        String inputName = opts.get(INPUT_NAME) == null ? DEFAULT_INPUT : opts.get(INPUT_NAME).toString();
        String outputName = opts.get(OUTPUT_NAME) == null ? null : opts.get(OUTPUT_NAME).toString();
        Map<String, Object> parameters = new LinkedHashMap<>(opts);
        parameters.remove(INPUT_NAME);
        parameters.remove(OUTPUT_NAME);
        List<float[]> rows = schedulers.apply(endpoint).callBatched(new InferBatch(endpoint, opts),
                (inputs, timeout) -> readOutput(
                        http.post(endpoint, uri, Map.of(), body(inputs, inputName, outputName, parameters), timeout),
                        outputName, inputs.size()),
                texts, call);
        return rows.toArray(float[][]::new);
    }

    static ObjectNode body(List<String> inputs, String inputName, String outputName, Map<String, ?> parameters) {
        ObjectNode body = JsonHttp.JSON.createObjectNode();
        ObjectNode tensor = body.putArray("inputs").addObject();
        tensor.put("name", inputName);
        tensor.putArray("shape").add(inputs.size());
        tensor.put("datatype", "BYTES");
        ArrayNode data = tensor.putArray("data");
        inputs.forEach(data::add);
        if (outputName != null) body.putArray("outputs").addObject().put("name", outputName);
        if (!parameters.isEmpty()) body.set("parameters", JsonHttp.JSON.valueToTree(parameters));
        return body;
    }

    /** The named (else the first) output, {@code [n, d…]} row-major, as n rows of floats. */
    static List<float[]> readOutput(JsonReply reply, String outputName, int expected) {
        JsonNode outputs = reply.json().get("outputs");
        if (outputs == null || !outputs.isArray() || outputs.isEmpty()) throw reply.malformed("no outputs");
        JsonNode output = null;
        for (JsonNode o : outputs) {
            if (outputName == null || outputName.equals(o.path("name").asText())) {
                output = o;
                break;
            }
        }
        if (output == null) throw reply.malformed("no output named '" + outputName + "'");
        String type = output.path("datatype").asText("");
        if (type.equals("BYTES") || type.equals("BOOL")) throw reply.malformed("a " + type + " output where numbers were expected");
        JsonNode shape = output.get("shape");
        if (shape == null || !shape.isArray() || shape.isEmpty() || shape.get(0).asLong(-1) != expected) {
            throw reply.malformed("an output whose shape does not start with the " + expected + " inputs");
        }
        long width = 1;
        for (int i = 1; i < shape.size(); i++) width *= shape.get(i).asLong(-1);
        float[] flat = JsonFloats.flatten(output.get("data"));
        if (flat == null || width < 0 || flat.length != expected * width) {
            throw reply.malformed("output data that does not match its shape " + shape);
        }
        List<float[]> rows = new ArrayList<>(expected);
        for (int r = 0; r < expected; r++) {
            float[] row = new float[(int) width];
            System.arraycopy(flat, (int) (r * width), row, 0, row.length);
            rows.add(row);
        }
        return rows;
    }
}
