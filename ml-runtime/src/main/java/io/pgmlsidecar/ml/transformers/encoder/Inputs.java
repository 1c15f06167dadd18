package io.pgmlsidecar.ml.transformers.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/** Reading pgml.transform inputs and the tokenizer kwargs that every encoder task accepts. */
final class Inputs {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** transformers' tokenizer kwargs; padding never changes results here (each batch is padded to its longest row). */
    static final Set<String> TOKENIZER_KEYS = Set.of("truncation", "padding", "max_length", "batch_size");

    private Inputs() {}

    /** The text of a plain input. */
    static String text(JsonNode input, String task, int index) {
        if (input != null && input.isTextual()) return input.asText();
        throw new InvalidArgumentsException(task + ": input " + (index + 1) + " must be text, got " + input);
    }

    /**
     * A structured input: an object, or text holding one (PostgresML passes question-answering inputs as
     * JSON strings); null when it is plain text that is not a JSON object.
     */
    static JsonNode object(JsonNode input) {
        if (input == null) return null;
        if (input.isObject()) return input;
        if (input.isTextual()) {
            String s = input.asText().strip();
            if (s.startsWith("{")) {
                try {
                    JsonNode n = JSON.readTree(s);
                    if (n != null && n.isObject()) return n;
                } catch (IOException e) {
                    return null;
                }
            }
        }
        return null;
    }

    static int batchSize(PipelineArgs args) {
        return args.integer("batch_size", EncoderModel.DEFAULT_BATCH_SIZE, 1, 1024);
    }

    /** The token budget per input: max_length when given (capped by the model's), else the model's. */
    static int maxLength(PipelineArgs args, int modelMax) {
        int m = args.integer("max_length", modelMax, 2, Integer.MAX_VALUE);
        return Math.min(m, modelMax);
    }

    /** Checks truncation's type; inputs are always cut to the model's max length, as a model cannot read more. */
    static void checkTruncation(PipelineArgs args) {
        JsonNode t = args.raw("truncation");
        if (t != null && !t.isNull() && !t.isBoolean() && !t.isTextual()) {
            throw new InvalidArgumentsException("argument 'truncation' must be true, false or a strategy name, got " + t);
        }
        JsonNode p = args.raw("padding");
        if (p != null && !p.isNull() && !p.isBoolean() && !p.isTextual()) {
            throw new InvalidArgumentsException("argument 'padding' must be true, false or a strategy name, got " + p);
        }
    }

    static void requireSome(List<JsonNode> inputs, String task) {
        if (inputs == null || inputs.isEmpty()) {
            throw new InvalidArgumentsException(task + " needs at least one input");
        }
    }
}
