package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;

import java.io.Serial;

/**
 * Joint (multi-target) regression for pgml.train_joint: one estimator per target, as scikit-learn's
 * MultiOutputRegressor (which PostgresML uses for the estimators without native multi-output support;
 * for the linear ones the per-target fits are the same solution).
 */
public final class JointRegressor implements Estimator {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
    }

    @Serial
    private static final long serialVersionUID = 1L;
    private final Estimator[] estimators;

    public JointRegressor(Estimator[] estimators) {
        this.estimators = estimators;
    }

    public int numTargets() {
        return estimators.length;
    }

    /** y[target][row]. */
    public void fitJoint(double[][] x, double[][] y, FitContext ctx) {
        for (int t = 0; t < estimators.length; t++) {
            ctx.phase("fit", "fitting target " + (t + 1) + "/" + estimators.length);
            estimators[t].fitRegression(x, y[t], ctx);
        }
    }

    /** out[row][target]. */
    public double[][] predictJoint(double[][] x) {
        double[][] out = new double[x.length][estimators.length];
        for (int t = 0; t < estimators.length; t++) {
            double[] p = estimators[t].predictValues(x);
            for (int i = 0; i < x.length; i++) {
                out[i][t] = p[i];
            }
        }
        return out;
    }

    @Override
    public double[] predictValues(double[][] x) {
        return estimators[0].predictValues(x);
    }

    @Override
    public boolean preparesForStorage() {
        return java.util.Arrays.stream(estimators).anyMatch(Estimator::preparesForStorage);
    }

    @Override
    public void prepareForStorage() {
        for (Estimator e : estimators) {
            e.prepareForStorage();
        }
    }

    @Override
    public void afterLoad() {
        for (Estimator e : estimators) {
            e.afterLoad();
        }
    }
}
