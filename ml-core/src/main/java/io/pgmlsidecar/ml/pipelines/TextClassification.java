package io.pgmlsidecar.ml.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A sequence classification head's logits turned into what transformers' text-classification pipeline returns for one
 * input, with the call's arguments already read: the sidecar's pipeline and the Spark executors share it, so a row
 * classified on either gives the same JSON.
 *
 * @param labels   the model's labels in id order ({@code id2label})
 * @param function {@code softmax}, {@code sigmoid} or {@code none}
 * @param topK     how many labels, best first; null: all of them
 * @param legacy   {@code top_k} was not given: one object per input (the best label) unless every label was asked for
 *                 with {@code return_all_scores}, which keeps label order
 */
public record TextClassification(List<String> labels, String function, Integer topK, boolean legacy) implements Serializable {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    public static final Set<String> FUNCTIONS = Set.of("softmax", "sigmoid", "none");

    public TextClassification {
        labels = List.copyOf(labels);
        function = function.toLowerCase(Locale.ROOT);
    }

    /** transformers' choice: multi-label or single-output models get sigmoid, regression none, other classifiers softmax. */
    public static String defaultFunction(String problemType, int labelCount) {
        return "multi_label_classification".equals(problemType) || labelCount == 1 ? "sigmoid"
                : "regression".equals(problemType) ? "none" : "softmax";
    }

    /** The pipeline's output for one input's logits: an object (legacy, one label) or an array of objects. */
    public JsonNode result(float[] logits) {
        float[] scores = switch (function) {
            case "softmax" -> Scores.softmax(logits);
            case "sigmoid" -> Scores.sigmoid(logits);
            default -> logits.clone();
        };
        if (legacy && topK != null) {
            int best = Scores.argmax(scores);
            return entry(best, scores[best]);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) order.add(i);
        if (!legacy) order.sort((a, b) -> Float.compare(scores[b], scores[a]));
        int k = topK == null ? order.size() : Math.min(topK, order.size());
        ArrayNode list = JSON.arrayNode(k);
        for (int i = 0; i < k; i++) list.add(entry(order.get(i), scores[order.get(i)]));
        return list;
    }

    private ObjectNode entry(int label, float score) {
        ObjectNode o = JSON.objectNode();
        o.put("label", label < labels.size() ? labels.get(label) : "LABEL_" + label);
        o.put("score", (double) score); // a float widened, as Python's float() of a float32 score
        return o;
    }
}
