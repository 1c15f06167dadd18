package io.pgmlsidecar.ml.tune;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Evaluation metrics of a classifier, as PostgresML stores them for tuned classifiers ({@code {f1, accuracy}}).
 * F1 follows sklearn / HF {@code evaluate}: with two classes the binary F1 of the positive class, which
 * is class index 1 (the second label in sorted order, like sklearn's {@code pos_label=1} on encoded
 * labels); with more classes the macro average over the classes that occur in the references or the
 * predictions (sklearn's {@code average="macro"}). A class with no true positives and no errors
 * scores 0, as sklearn does with {@code zero_division="warn"}.
 *
 * @param loss     mean cross-entropy (NaN when computed from predictions only)
 * @param accuracy fraction of exact matches
 * @param f1       see above
 * @param count    number of examples
 */
public record ClassificationMetrics(double loss, double accuracy, double f1, int count) {

    /** Metrics from predicted and true class indexes in {@code [0, numLabels)}. */
    public static ClassificationMetrics of(int[] predicted, int[] actual, int numLabels, double loss) {
        if (predicted.length != actual.length) {
            throw new IllegalArgumentException("predictions " + predicted.length + " != references " + actual.length);
        }
        int n = actual.length;
        if (n == 0) return new ClassificationMetrics(loss, Double.NaN, Double.NaN, 0);
        long[] tp = new long[numLabels], fp = new long[numLabels], fn = new long[numLabels];
        boolean[] seen = new boolean[numLabels];
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int p = predicted[i], a = actual[i];
            seen[p] = seen[a] = true;
            if (p == a) {
                correct++;
                tp[a]++;
            } else {
                fp[p]++;
                fn[a]++;
            }
        }
        double f1;
        if (numLabels == 2) {
            f1 = f1(tp[1], fp[1], fn[1]);
        } else {
            double sum = 0;
            int classes = 0;
            for (int c = 0; c < numLabels; c++) {
                if (!seen[c]) continue;
                sum += f1(tp[c], fp[c], fn[c]);
                classes++;
            }
            f1 = sum / classes;
        }
        return new ClassificationMetrics(loss, (double) correct / n, f1, n);
    }

    private static double f1(long tp, long fp, long fn) {
        long d = 2 * tp + fp + fn;
        return d == 0 ? 0.0 : 2.0 * tp / d;
    }

    /** {@code {"f1": .., "accuracy": ..}} as PostgresML stores in {@code pgml.models.metrics}. */
    public Map<String, Double> asPgmlMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("f1", f1);
        m.put("accuracy", accuracy);
        return m;
    }
}
