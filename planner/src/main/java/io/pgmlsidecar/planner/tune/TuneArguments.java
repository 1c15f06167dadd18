package io.pgmlsidecar.planner.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hyperparams of pgml.tune in both forms users write: PostgresML's {@code {"training_args": {…},
 * "dataset_args": {…}}} and the older flat form where the keys are TrainingArguments themselves and
 * the label column is {@code y_column_name}.
 *
 * @param trainingArgs Hugging Face TrainingArguments
 * @param columns      the dataset columns by role: text / text1 / text2 / class, or system / user / assistant
 */
record TuneArguments(ObjectNode trainingArgs, Map<String, String> columns, ObjectNode hyperparams) {

    /** Settings of a remote fine-tuning job: poll_interval_ms, deadline_minutes, system_prompt. */
    ObjectNode remoteArgs() {
        JsonNode r = hyperparams.get("remote_args");
        return r != null && r.isObject() ? (ObjectNode) r : JSON.createObjectNode();
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> STRUCTURED = Set.of("training_args", "dataset_args", "lora_config", "token",
            "load_in_8bit", "tokenizer_args", "model_name", "project_name", "remote_args");

    static TuneArguments parse(String task, String hyperparamsText, String yColumn) {
        JsonNode h;
        try {
            h = hyperparamsText == null ? JSON.createObjectNode() : JSON.readTree(hyperparamsText);
        } catch (Exception e) {
            throw new PgException(PgError.error("22P02", "invalid input syntax for type json: " + hyperparamsText, null));
        }
        if (!h.isObject()) {
            throw new PgException(PgError.error("22023", "hyperparams must be a JSON object", "e.g. '{\"training_args\": {\"num_train_epochs\": 2}}'"));
        }
        ObjectNode hyper = (ObjectNode) h;
        boolean structured = hyper.has("training_args") || hyper.has("dataset_args");
        ObjectNode training = JSON.createObjectNode();
        ObjectNode dataset = JSON.createObjectNode();
        if (structured) {
            for (Iterator<String> it = hyper.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!STRUCTURED.contains(k)) {
                    throw new PgException(PgError.error("22023", "unknown hyperparams key \"" + k + "\" for pgml.tune",
                            "Put Hugging Face TrainingArguments under \"training_args\" and column names under \"dataset_args\"."));
                }
            }
            training = object(hyper, "training_args");
            dataset = object(hyper, "dataset_args");
        } else {
            for (Iterator<Map.Entry<String, JsonNode>> it = hyper.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!STRUCTURED.contains(e.getKey())) {
                    training.set(e.getKey(), e.getValue());
                }
            }
        }
        Map<String, String> columns = new java.util.LinkedHashMap<>();
        for (String role : roles(task)) {
            String key = role + "_column";
            JsonNode v = dataset.get(key);
            if (v != null && !v.isTextual()) {
                throw new PgException(PgError.error("22023", "dataset_args." + key + " must be a column name", null));
            }
            String dflt = role.equals("class") && yColumn != null ? yColumn : role;
            columns.put(role, v != null ? v.asText() : dflt);
        }
        for (Iterator<String> it = dataset.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.endsWith("_column") || !columns.containsKey(k.substring(0, k.length() - "_column".length()))) {
                throw new PgException(PgError.error("22023", "unknown dataset_args key \"" + k + "\" for task " + task,
                        "Task " + task + " takes " + roles(task).stream().map(r -> r + "_column").toList() + "."));
            }
        }
        return new TuneArguments(training, columns, hyper);
    }

    /** The column roles of a task's dataset, as PostgresML names them in dataset_args. */
    static List<String> roles(String task) {
        return switch (task) {
            case "text_classification" -> List.of("text", "class");
            case "text_pair_classification" -> List.of("text1", "text2", "class");
            case "conversation" -> List.of("system", "user", "assistant");
            default -> List.of("text", "target"); // translation, summarization, text_generation, text2text
        };
    }

    private static ObjectNode object(ObjectNode h, String key) {
        JsonNode v = h.get(key);
        if (v == null || v.isNull()) {
            return JSON.createObjectNode();
        }
        if (!v.isObject()) {
            throw new PgException(PgError.error("22023", "hyperparams." + key + " must be a JSON object, got " + v, null));
        }
        return (ObjectNode) v.deepCopy();
    }
}
