package io.pgmlsidecar.planner.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.List;

/**
 * The arguments of a pgml.transform / transform_stream call, read from their text forms: the task
 * (a task name, or the JSON object of {@code transformers.pipeline(**task)} kwargs), {@code args}
 * (a JSON object) and the inputs (text[] or jsonb[] as an array literal, or one text).
 *
 * @param task   always an object with at least {@code "task"}
 * @param inputs the input texts; jsonb inputs stay JSON text
 */
public record TransformArguments(JsonNode task, JsonNode args, List<String> inputs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public String taskName() {
        return task.path("task").asText("");
    }

    /** The model named in the task object, or null. */
    public String model() {
        JsonNode m = task.get("model");
        return m == null || m.isNull() ? null : m.asText();
    }

    /** pgml.transform(task, args, inputs, cache): inputs are an array. */
    public static TransformArguments ofArray(String task, String args, String inputsArray) {
        return new TransformArguments(task(task), withoutEngine(args(args)), TextArrays.parse(inputsArray));
    }

    /**
     * The args the pipeline sees: {@code "engine": "local"} chooses where an UPDATE classifies and is no pipeline
     * argument; another engine here means a statement its engine does not serve.
     */
    private static JsonNode withoutEngine(JsonNode args) {
        JsonNode engine = args.get("engine");
        if (engine == null) {
            return args;
        }
        if (!engine.isTextual() || !(engine.asText().equals("local") || engine.asText().equals("sidecar"))) {
            throw new PgException(PgError.error("0A000", "the " + engine.asText() + " engine of pgml.transform serves "
                    + "UPDATE table SET col = pgml.transform(…) only", "Write the statement as UPDATE t SET col = pgml.transform(task, "
                    + "'{\"engine\": \"" + engine.asText() + "\"}', ARRAY[text_column]) [WHERE predicate on t], or leave \"engine\" out of args."));
        }
        ObjectNode copy = ((ObjectNode) args).deepCopy();
        copy.remove("engine");
        return copy;
    }

    /**
     * pgml.transform_stream(task, args, input | inputs, cache): one prompt, or (conversational) an
     * array of jsonb messages.
     */
    public static TransformArguments ofStream(String task, String args, String input) {
        JsonNode t = task(task);
        boolean messages = "conversational".equals(t.path("task").asText()) && input.strip().startsWith("{")
                && !input.strip().startsWith("{\"role\"");
        return new TransformArguments(t, args(args), messages ? TextArrays.parse(input) : List.of(input));
    }

    public static JsonNode task(String text) {
        String t = text.strip();
        if (t.startsWith("{")) {
            JsonNode n = parse(t, "task must be a task name or a JSON object such as {\"task\": \"text-generation\", \"model\": …}");
            if (!n.isObject() || !n.path("task").isTextual()) {
                throw new PgException(PgError.error("22023", "the task object has no \"task\" key: " + t,
                        "Write e.g. '{\"task\": \"text-classification\", \"model\": \"distilbert/distilbert-base-uncased-finetuned-sst-2-english\"}'."));
            }
            return n;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("task", t);
        return o;
    }

    public static JsonNode args(String text) {
        JsonNode args = text == null ? JSON.createObjectNode() : parse(text, "args must be a JSON object");
        if (!args.isObject()) {
            throw new PgException(PgError.error("22023", "args must be a JSON object, got " + text,
                    "e.g. '{\"max_new_tokens\": 20}'"));
        }
        return args;
    }

    public static JsonNode parse(String text, String hint) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new PgException(PgError.error("22P02", "invalid input syntax for type json: " + text, hint));
        }
    }
}
