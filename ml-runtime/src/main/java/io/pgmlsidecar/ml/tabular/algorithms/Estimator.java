package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;

import java.io.Serializable;

/**
 * A model over preprocessed numeric features. Implementations override what their task needs:
 * regression {@code fitRegression/predictValues}; classification {@code fitClassification/predictClasses}
 * (classes are 0..k-1) and, when they have probabilities, {@code predictProba}; clustering
 * {@code fitUnsupervised/predictClasses}; decomposition {@code fitUnsupervised/transform}.
 * <p>Stored form: {@link #storedType()} names the estimator's state schema, {@link #writeState} writes it and
 * the reader registered in {@link EstimatorFormats} reads it back (docs/model-format.md). Java
 * serialisation ({@link Serializable}) is kept only to read models stored by builds before format 3.
 */
public interface Estimator extends Serializable {

    default void fitRegression(double[][] x, double[] y, FitContext ctx) {
        throw new TabularException(getClass().getSimpleName() + " does not do regression");
    }

    default void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
        throw new TabularException(getClass().getSimpleName() + " does not do classification");
    }

    default void fitUnsupervised(double[][] x, FitContext ctx) {
        throw new TabularException(getClass().getSimpleName() + " does not do clustering or decomposition");
    }

    default double[] predictValues(double[][] x) {
        throw new TabularException("this model does not predict values");
    }

    default int[] predictClasses(double[][] x) {
        throw new TabularException("this model does not predict classes");
    }

    /** Whether {@link #predictProba} is available (as scikit-learn: e.g. svm needs probability=true). */
    default boolean supportsProba() {
        return false;
    }

    /** One row per input, one probability per class (class order), each row summing to 1. */
    default double[][] predictProba(double[][] x) {
        throw new TabularException("this algorithm does not estimate class probabilities");
    }

    default double[][] transform(double[][] x) {
        throw new TabularException("this model does not transform (decompose) vectors");
    }

    /** Decomposition: explained variance ratio of each kept component. */
    default double[] explainedVarianceRatio() {
        return null;
    }

    /** True when {@link #prepareForStorage} has work to do (the trainer then scores the test split meanwhile). */
    default boolean preparesForStorage() {
        return false;
    }

    /**
     * The fitted model will be stored: an estimator whose serialised form is costly to produce (a native
     * booster's bytes) produces it now, on the fit's thread, while the trainer scores the test split on
     * another; prediction must stay safe meanwhile.
     */
    default void prepareForStorage() {
    }

    /**
     * The stable name of this estimator's stored state, e.g. {@code "forest"}; never a Java class name, so
     * classes can be renamed and moved freely. Listed in docs/model-format.md.
     */
    String storedType();

    /**
     * The version of the state schema {@link #writeState} writes. Change the schema only with a new
     * version, keeping the reader of every earlier one in {@link EstimatorFormats}.
     */
    default int storedVersion() {
        return 1;
    }

    /** Writes the fitted state (and the settings prediction needs) under the documented field names. */
    void writeState(io.pgmlsidecar.ml.tabular.store.StateWriter out);

    /** Called after deserialisation (e.g. to reload native handles). */
    default void afterLoad() {
    }

    /** Helper for classifiers: argmax of probabilities. */
    static int[] argmax(double[][] p) {
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            int best = 0;
            for (int k = 1; k < p[i].length; k++) {
                if (p[i][k] > p[i][best]) {
                    best = k;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
