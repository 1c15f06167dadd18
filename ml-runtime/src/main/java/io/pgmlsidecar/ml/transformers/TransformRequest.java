package io.pgmlsidecar.ml.transformers;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One pgml.transform call.
 *
 * @param task   the parsed task
 * @param model  Hugging Face id of the model; null → the task's default model
 * @param args   the call's {@code args} object (may be null)
 * @param inputs    text nodes, or JSON objects for question-answering and conversational messages
 * @param directory where the model's files are when they are not found by name (a model tuned with
 *                  pgml.tune and copied out of pgml.files); null → resolve {@code model} by name
 */
public record TransformRequest(TransformTask.Parsed task, String model, JsonNode args, List<JsonNode> inputs, Path directory) {
    public TransformRequest {
        Objects.requireNonNull(task, "task");
        inputs = List.copyOf(inputs);
    }

    public TransformRequest(TransformTask.Parsed task, String model, JsonNode args, List<JsonNode> inputs) {
        this(task, model, args, inputs, null);
    }

    /** The model to load: the named one, else the task's default. */
    public String modelOrDefault() {
        if (model != null && !model.isBlank()) return model.strip();
        if (task.task().defaultModel() == null) {
            throw new InvalidArgumentsException("task " + task.task().hfName() + " needs a model: pass '{\"task\": \""
                    + task.task().hfName() + "\", \"model\": \"<Hugging Face id>\"}'");
        }
        return task.task().defaultModel();
    }
}
