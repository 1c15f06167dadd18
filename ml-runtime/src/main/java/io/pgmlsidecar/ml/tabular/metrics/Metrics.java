package io.pgmlsidecar.ml.tabular.metrics;

import io.pgmlsidecar.ml.tabular.algorithms.Linalg;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Scores with PostgresML's metric keys (pgml.models.metrics): regression r2, mean_absolute_error,
 * mean_squared_error; classification f1 / precision / recall (macro averages over the classes present
 * in truth or prediction), accuracy, mcc (multi-class Matthews, Gorodkin's formula), and for two
 * classes roc_auc and log_loss; clustering silhouette; decomposition cumulative_explained_variance.
 * fit_time and score_time are added by the trainer. Values that are undefined (e.g. roc_auc with a
 * single class in the test split) are left out rather than stored as NaN.
 */
public final class Metrics {
    private Metrics() {
    }

    public static Map<String, Object> regression(double[] y, double[] p) {
        int n = y.length;
        double mean = Linalg.mean(y);
        double ssRes = 0;
        double ssTot = 0;
        double mae = 0;
        for (int i = 0; i < n; i++) {
            double e = y[i] - p[i];
            ssRes += e * e;
            ssTot += (y[i] - mean) * (y[i] - mean);
            mae += Math.abs(e);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        double r2 = ssTot == 0 ? (ssRes == 0 ? 1.0 : 0.0) : 1 - ssRes / ssTot;
        put(m, "r2", r2);
        put(m, "mean_absolute_error", n == 0 ? Double.NaN : mae / n);
        put(m, "mean_squared_error", n == 0 ? Double.NaN : ssRes / n);
        return m;
    }

    /**
     * Joint regression ({@code y[target][row]}, {@code p[row][target]}): each key is the uniform average
     * over the targets (scikit-learn's multioutput="uniform_average").
     */
    public static Map<String, Object> jointRegression(double[][] y, double[][] p) {
        Map<String, Object> out = new LinkedHashMap<>();
        int t = y.length;
        for (int k = 0; k < t; k++) {
            double[] pk = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                pk[i] = p[i][k];
            }
            Map<String, Object> m = regression(y[k], pk);
            for (Map.Entry<String, Object> e : m.entrySet()) {
                out.merge(e.getKey(), ((Number) e.getValue()).doubleValue() / t, (a, b) -> ((Number) a).doubleValue() + ((Number) b).doubleValue());
            }
        }
        return out;
    }

    public static Map<String, Object> classification(int[] y, int[] p, double[][] proba, int numClasses) {
        int n = y.length;
        long[][] cm = new long[numClasses][numClasses];
        for (int i = 0; i < n; i++) {
            cm[y[i]][p[i]]++;
        }
        double precSum = 0;
        double recSum = 0;
        double f1Sum = 0;
        int present = 0;
        long correct = 0;
        long[] tk = new long[numClasses];
        long[] pk = new long[numClasses];
        for (int k = 0; k < numClasses; k++) {
            correct += cm[k][k];
            for (int j = 0; j < numClasses; j++) {
                tk[k] += cm[k][j];
                pk[k] += cm[j][k];
            }
        }
        for (int k = 0; k < numClasses; k++) {
            if (tk[k] == 0 && pk[k] == 0) {
                continue;
            }
            present++;
            double prec = pk[k] == 0 ? 0 : (double) cm[k][k] / pk[k];
            double rec = tk[k] == 0 ? 0 : (double) cm[k][k] / tk[k];
            precSum += prec;
            recSum += rec;
            f1Sum += prec + rec == 0 ? 0 : 2 * prec * rec / (prec + rec);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "f1", present == 0 ? Double.NaN : f1Sum / present);
        put(m, "precision", present == 0 ? Double.NaN : precSum / present);
        put(m, "recall", present == 0 ? Double.NaN : recSum / present);
        put(m, "accuracy", n == 0 ? Double.NaN : (double) correct / n);
        double s = n;
        double cov = correct * s;
        double sp2 = 0;
        double st2 = 0;
        for (int k = 0; k < numClasses; k++) {
            cov -= (double) pk[k] * tk[k];
            sp2 += (double) pk[k] * pk[k];
            st2 += (double) tk[k] * tk[k];
        }
        double den = Math.sqrt((s * s - sp2) * (s * s - st2));
        put(m, "mcc", den == 0 ? 0.0 : cov / den);
        if (numClasses == 2) {
            double[] score = new double[n];
            for (int i = 0; i < n; i++) {
                score[i] = proba != null ? proba[i][1] : p[i];
            }
            put(m, "roc_auc", rocAuc(y, score));
            double ll = 0;
            for (int i = 0; i < n; i++) {
                double q = Math.min(Math.max(score[i], 1e-15), 1 - 1e-15);
                ll -= y[i] == 1 ? Math.log(q) : Math.log(1 - q);
            }
            put(m, "log_loss", n == 0 ? Double.NaN : ll / n);
        }
        return m;
    }

    /**
     * The tables behind the macro scores, for pgml.models.metrics next to them (PostgresML stores only the
     * macro scores; the names are scikit-learn's): {@code classes} (the class labels, as text, in the order
     * of every table), {@code confusion_matrix} (sklearn.metrics.confusion_matrix: row = true class, column
     * = predicted class, counts of the evaluation rows), and per class {@code precision_per_class},
     * {@code recall_per_class}, {@code f1_per_class} and {@code support_per_class}
     * (precision_recall_fscore_support with average=None; 0 where undefined, as scikit-learn's
     * zero_division default warns and gives).
     */
    public static Map<String, Object> perClass(int[] y, int[] p, String[] classes) {
        int k = classes.length;
        long[][] cm = new long[k][k];
        for (int i = 0; i < y.length; i++) {
            cm[y[i]][p[i]]++;
        }
        java.util.List<java.util.List<Long>> matrix = new java.util.ArrayList<>(k);
        java.util.List<Double> precision = new java.util.ArrayList<>(k);
        java.util.List<Double> recall = new java.util.ArrayList<>(k);
        java.util.List<Double> f1 = new java.util.ArrayList<>(k);
        java.util.List<Long> support = new java.util.ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            java.util.List<Long> row = new java.util.ArrayList<>(k);
            long predicted = 0;
            long actual = 0;
            for (int j = 0; j < k; j++) {
                row.add(cm[c][j]);
                predicted += cm[j][c];
                actual += cm[c][j];
            }
            matrix.add(row);
            double prec = predicted == 0 ? 0 : (double) cm[c][c] / predicted;
            double rec = actual == 0 ? 0 : (double) cm[c][c] / actual;
            precision.add(prec);
            recall.add(rec);
            f1.add(prec + rec == 0 ? 0 : 2 * prec * rec / (prec + rec));
            support.add(actual);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("classes", java.util.List.of(classes));
        m.put("confusion_matrix", matrix);
        m.put("precision_per_class", precision);
        m.put("recall_per_class", recall);
        m.put("f1_per_class", f1);
        m.put("support_per_class", support);
        return m;
    }

    /** The most test rows whose (actual, predicted) pairs are stored with a regression's metrics. */
    public static final int MAX_TEST_PREDICTIONS = 1000;

    /**
     * The test split's targets and the model's predictions of them (the pairs r2 was computed from), for a
     * predicted-vs-actual chart: {@code {"rows": n, "actual": [...], "predicted": [...]}}, as floats (pgml.predict's
     * real). Above {@value #MAX_TEST_PREDICTIONS} rows an evenly spaced subset of that many is kept ({@code rows}
     * still says how many were scored). Not a PostgresML key; an object, so readers of the numeric keys skip it
     * (decision 0025c).
     */
    public static Map<String, Object> testPredictions(double[] y, double[] p) {
        int n = y.length;
        int kept = Math.min(n, MAX_TEST_PREDICTIONS);
        java.util.List<Float> actual = new java.util.ArrayList<>(kept);
        java.util.List<Float> predicted = new java.util.ArrayList<>(kept);
        for (int k = 0; k < kept; k++) {
            int i = (int) ((long) k * n / kept);
            actual.add((float) y[i]);
            predicted.add((float) p[i]);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", n);
        m.put("actual", actual);
        m.put("predicted", predicted);
        return m;
    }

    /** Area under the ROC curve (Mann–Whitney U with average ranks for ties); NaN with one class only. */
    public static double rocAuc(int[] y, double[] score) {
        int n = y.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(score[a], score[b]));
        double[] rank = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && score[idx[j + 1]] == score[idx[i]]) {
                j++;
            }
            double r = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                rank[idx[k]] = r;
            }
            i = j + 1;
        }
        long pos = 0;
        double sumPos = 0;
        for (int i = 0; i < n; i++) {
            if (y[i] == 1) {
                pos++;
                sumPos += rank[i];
            }
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (sumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** Mean silhouette (Euclidean) over at most {@code maxRows} rows sampled with a fixed seed. */
    public static double silhouette(double[][] x, int[] labels, int maxRows) {
        int n = x.length;
        int[] idx;
        if (n > maxRows) {
            idx = new int[maxRows];
            SplittableRandom rnd = new SplittableRandom(42);
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            for (int i = 0; i < maxRows; i++) {
                int j = i + rnd.nextInt(n - i);
                int t = all[i];
                all[i] = all[j];
                all[j] = t;
            }
            System.arraycopy(all, 0, idx, 0, maxRows);
        } else {
            idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
        }
        Map<Integer, Integer> ids = new LinkedHashMap<>();
        for (int i : idx) {
            ids.putIfAbsent(labels[i], ids.size());
        }
        int k = ids.size();
        if (k < 2 || k >= idx.length) {
            return Double.NaN;
        }
        int[] count = new int[k];
        for (int i : idx) {
            count[ids.get(labels[i])]++;
        }
        double total = 0;
        for (int a : idx) {
            double[] sum = new double[k];
            for (int b : idx) {
                if (a != b) {
                    sum[ids.get(labels[b])] += Math.sqrt(Linalg.sqDist(x[a], x[b]));
                }
            }
            int own = ids.get(labels[a]);
            if (count[own] <= 1) {
                continue; // silhouette of a singleton is 0
            }
            double ai = sum[own] / (count[own] - 1);
            double bi = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                if (c != own && count[c] > 0) {
                    bi = Math.min(bi, sum[c] / count[c]);
                }
            }
            double mx = Math.max(ai, bi);
            total += mx == 0 ? 0 : (bi - ai) / mx;
        }
        return total / idx.length;
    }

    private static void put(Map<String, Object> m, String k, double v) {
        if (!Double.isNaN(v) && !Double.isInfinite(v)) {
            m.put(k, v);
        }
    }
}
