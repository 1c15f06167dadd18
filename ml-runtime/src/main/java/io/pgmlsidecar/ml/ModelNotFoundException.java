package io.pgmlsidecar.ml;

import java.util.List;

/**
 * No configured place holds the model. The message lists every place that was looked at and how to
 * put the model where the runtime finds it.
 */
public class ModelNotFoundException extends MlException {
    private final String modelName;
    private final List<String> lookedAt;

    public ModelNotFoundException(String modelName, List<String> lookedAt, String howToPlace) {
        super(format(modelName, lookedAt, howToPlace));
        this.modelName = modelName;
        this.lookedAt = List.copyOf(lookedAt);
    }

    public String modelName() {
        return modelName;
    }

    /** One line per place looked at, in resolution order. */
    public List<String> lookedAt() {
        return lookedAt;
    }

    private static String format(String name, List<String> lookedAt, String howToPlace) {
        StringBuilder sb = new StringBuilder("model '").append(name).append("' was not found. Looked in:");
        int i = 1;
        for (String place : lookedAt) {
            sb.append("\n  ").append(i++).append(". ").append(place);
        }
        if (howToPlace != null && !howToPlace.isBlank()) {
            sb.append('\n').append(howToPlace);
        }
        return sb.toString();
    }
}
