package io.pgmlsidecar.ml.transformers.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.ml.transformers.TransformTask;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The task's entry of config.json's {@code task_specific_params}, as transformers pipelines apply it:
 * its {@code prefix} is put before every input (T5's "translate English to French: ", "summarize: ")
 * and its other keys are generation defaults.
 */
final class PromptPrefix {
    private PromptPrefix() {}

    /** The entry for the task, or a missing node. */
    static JsonNode taskParams(JsonNode config, TransformTask task, String source, String target) {
        JsonNode params = config.path("task_specific_params");
        if (!params.isObject()) return MissingNode.getInstance();
        String key = switch (task) {
            case SUMMARIZATION -> "summarization";
            case TEXT_GENERATION -> "text-generation";
            case TRANSLATION -> source != null && target != null ? "translation_" + source + "_to_" + target : null;
            default -> null;
        };
        if (key == null && task == TransformTask.TRANSLATION) {
            List<String> translations = new ArrayList<>();
            for (Iterator<String> it = params.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (k.startsWith("translation_")) translations.add(k);
            }
            if (translations.size() == 1) key = translations.get(0);
        }
        return key == null ? MissingNode.getInstance() : params.path(key);
    }

    static String prefix(JsonNode taskParams) {
        return taskParams.path("prefix").isTextual() ? taskParams.get("prefix").asText() : "";
    }

    /** The entry without its prefix (the generation defaults). */
    static JsonNode defaults(JsonNode taskParams) {
        if (!taskParams.isObject()) return MissingNode.getInstance();
        ObjectNode copy = ((ObjectNode) taskParams).deepCopy();
        copy.remove("prefix");
        return copy;
    }
}
