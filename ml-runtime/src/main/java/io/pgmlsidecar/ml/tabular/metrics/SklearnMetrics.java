package io.pgmlsidecar.ml.tabular.metrics;

import io.pgmlsidecar.ml.tabular.TabularException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The scikit-learn metric helpers PostgresML exposes as SQL functions (sklearn_f1_score,
 * sklearn_r2_score, sklearn_regression_metrics, sklearn_classification_metrics), with scikit-learn's
 * defaults: f1 is binary with positive label 1 when at most two labels occur, macro otherwise;
 * undefined ratios (0/0) count as 0, as scikit-learn's zero_division default does.
 */
public final class SklearnMetrics {
    private SklearnMetrics() {
    }

    /** f1_score(y_true, y_pred) with average='binary', pos_label=1. */
    public static double f1Binary(double[] truth, double[] predicted) {
        checkLengths(truth, predicted);
        double[] labels = labels(truth, predicted);
        if (labels.length > 2) {
            throw new TabularException("Target is multiclass but average='binary'",
                    "pgml.sklearn_f1_score computes the binary F1 of label 1; use pgml.sklearn_classification_metrics for a macro F1.");
        }
        return binary(truth, predicted)[2];
    }

    public static double r2(double[] truth, double[] predicted) {
        checkLengths(truth, predicted);
        return ((Number) Metrics.regression(truth, predicted).get("r2")).doubleValue();
    }

    /** {r2, mse, mae}. */
    public static Map<String, Double> regression(double[] truth, double[] predicted) {
        checkLengths(truth, predicted);
        Map<String, Object> m = Metrics.regression(truth, predicted);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("r2", ((Number) m.get("r2")).doubleValue());
        out.put("mse", ((Number) m.get("mean_squared_error")).doubleValue());
        out.put("mae", ((Number) m.get("mean_absolute_error")).doubleValue());
        return out;
    }

    /** {f1, f1_micro, precision, recall, accuracy, mcc}; binary averages for two labels, macro for more. */
    public static Map<String, Double> classification(double[] truth, double[] predicted) {
        checkLengths(truth, predicted);
        double[] labels = labels(truth, predicted);
        int[] y = indices(truth, labels);
        int[] p = indices(predicted, labels);
        Map<String, Object> macro = Metrics.classification(y, p, null, Math.max(labels.length, 1));
        double accuracy = ((Number) macro.get("accuracy")).doubleValue();
        Map<String, Double> out = new LinkedHashMap<>();
        if (labels.length > 2) {
            out.put("f1", ((Number) macro.get("f1")).doubleValue());
            out.put("f1_micro", accuracy);
            out.put("precision", ((Number) macro.get("precision")).doubleValue());
            out.put("recall", ((Number) macro.get("recall")).doubleValue());
        } else {
            double[] prf = binary(truth, predicted);
            out.put("f1", prf[2]);
            out.put("f1_micro", accuracy); // micro-averaged F1 of single-label data is the accuracy
            out.put("precision", prf[0]);
            out.put("recall", prf[1]);
        }
        out.put("accuracy", accuracy);
        out.put("mcc", ((Number) macro.get("mcc")).doubleValue());
        return out;
    }

    /** precision, recall, f1 of label 1. */
    private static double[] binary(double[] truth, double[] predicted) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < truth.length; i++) {
            boolean t = truth[i] == 1.0;
            boolean p = predicted[i] == 1.0;
            if (t && p) {
                tp++;
            } else if (p) {
                fp++;
            } else if (t) {
                fn++;
            }
        }
        double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        double recall = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new double[] {precision, recall, f1};
    }

    private static double[] labels(double[] truth, double[] predicted) {
        TreeSet<Double> set = new TreeSet<>();
        for (double v : truth) {
            set.add(v);
        }
        for (double v : predicted) {
            set.add(v);
        }
        return set.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static int[] indices(double[] values, double[] labels) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Arrays.binarySearch(labels, values[i]);
        }
        return out;
    }

    private static void checkLengths(double[] truth, double[] predicted) {
        if (truth.length != predicted.length) {
            throw new TabularException("Found input variables with inconsistent numbers of samples: [" + truth.length + ", "
                    + predicted.length + "]", "ground_truth and y_hat must have one element per sample.");
        }
        if (truth.length == 0) {
            throw new TabularException("the metric needs at least one sample", "Pass non-empty arrays.");
        }
        for (int i = 0; i < truth.length; i++) {
            if (Double.isNaN(truth[i]) || Double.isNaN(predicted[i])) {
                throw new TabularException("Input contains NaN", "Remove NaN and NULL elements before computing metrics.");
            }
        }
    }
}
