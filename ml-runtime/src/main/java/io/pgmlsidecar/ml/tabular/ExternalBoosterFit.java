package io.pgmlsidecar.ml.tabular;

import java.util.Map;

/**
 * Trains an XGBoost booster somewhere else (pgml.train's Spark engine) on the same training split the
 * local fit would use. {@link io.pgmlsidecar.ml.tabular.algorithms.XgboostModel} hands it the booster
 * parameters it would train with and loads the booster it returns, so everything around the fit — split,
 * preprocessing, scoring, the stored form — stays the local path's.
 */
@FunctionalInterface
public interface ExternalBoosterFit {

    /**
     * @param params the booster parameters (objective, num_class, eta, max_depth, …) as the local fit sets them
     * @param rounds boosting rounds
     * @param numTrainRows rows of the training split, which the external engine must train on
     * @return the trained booster as XGBoost saves it (UBJSON or JSON, what {@code XGBoost.loadModel} reads)
     */
    byte[] fit(Map<String, Object> params, int rounds, int numTrainRows, FitContext ctx);
}
