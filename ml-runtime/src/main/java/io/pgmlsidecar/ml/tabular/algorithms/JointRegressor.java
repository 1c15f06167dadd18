package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;

/**
 * Joint (multi-target) regression for pgml.train_joint: one estimator per target, as scikit-learn's
 * MultiOutputRegressor (which PostgresML uses for the estimators without native multi-output support;
 * for the linear ones the per-target fits are the same solution).
 */
public final class JointRegressor implements Estimator {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add("joint_regressor", 1, JointRegressor::new);
    }

    @Serial
    private static final long serialVersionUID = 1L;
    private final Estimator[] estimators;

    public JointRegressor(Estimator[] estimators) {
        this.estimators = estimators;
    }

    /** A stored model: each target's estimator read through {@link EstimatorFormats}. */
    private JointRegressor(StateReader in) {
        java.util.List<Estimator> list = in.list("estimators", EstimatorFormats::read);
        if (list == null || list.isEmpty() || list.contains(null)) {
            throw new TabularException("the stored joint_regressor has no estimator for some target",
                    "the stored bytes are damaged; retrain the project");
        }
        estimators = list.toArray(Estimator[]::new);
    }

    @Override
    public String storedType() {
        return "joint_regressor";
    }

    @Override
    public int storedVersion() {
        return 1;
    }

    /**
     * {@code estimators}: one entry per target, in target order, each an estimator entry as at the top level
     * ({@code type}, {@code version}, {@code state}).
     */
    @Override
    public void writeState(StateWriter out) {
        out.putList("estimators", estimators, EstimatorFormats::write);
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
