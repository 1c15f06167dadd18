package io.pgmlsidecar.planner.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.Map;

/** The tasks of pgml.tune, their names in the pgml.task enum and their target metrics. */
final class TuneTasks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TuneTasks() {}

    /** The pgml.task label of a task as users write it ('text-classification', 'text_classification', …). */
    static String pgTask(String task, String projectName) {
        if (task == null) {
            throw new PgException("22023", "project \"" + projectName + "\" does not exist and no task was given",
                    "Pass task => 'text-classification' (or text-pair-classification, conversation, translation, summarization, "
                            + "text-generation, text2text) the first time you tune a project.");
        }
        String t = task.strip().toLowerCase().replace('-', '_');
        return switch (t) {
            case "text_classification", "text_pair_classification", "conversation", "translation", "summarization",
                 "text_generation", "text2text", "question_answering" -> t;
            case "conversational" -> "conversation";
            default -> throw new PgException(PgError.error("22023", "pgml.tune does not tune task \"" + task + "\"",
                    "Tune text-classification, text-pair-classification, conversation, translation, summarization, "
                            + "text-generation or text2text."));
        };
    }

    static boolean isClassification(String pgTask) {
        return pgTask.equals("text_classification") || pgTask.equals("text_pair_classification");
    }

    /** True when {@code candidate} should replace the deployed model: none deployed, or a higher f1. */
    static boolean better(String deployedMetrics, Map<String, Object> candidate) {
        if (deployedMetrics == null) {
            return true;
        }
        try {
            JsonNode deployed = JSON.readTree(deployedMetrics);
            Object f1 = candidate.get("f1");
            if (!deployed.has("f1") || !(f1 instanceof Number n)) {
                return true;
            }
            return n.doubleValue() > deployed.get("f1").asDouble();
        } catch (Exception e) {
            return true;
        }
    }
}
