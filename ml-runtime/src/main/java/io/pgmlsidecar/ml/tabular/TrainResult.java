package io.pgmlsidecar.ml.tabular;

import java.util.Map;

/**
 * The outcome of {@link TabularTrainer#train}: the fitted model, its metrics (PostgresML's keys, plus
 * {@code search_results} after a search), the hyperparameters it was fitted with (the best ones after a
 * search), and the split sizes.
 */
public record TrainResult(TabularModel model, Map<String, Object> metrics, Map<String, Object> hyperparams,
                          int numTrainRows, int numTestRows, String algorithm) {

    /** The value of the task's target metric (f1, r2, silhouette, cumulative_explained_variance), or null. */
    public Double targetMetric() {
        Object v = metrics.get(model.task().targetMetric());
        return v instanceof Number n ? n.doubleValue() : null;
    }
}
