package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A CART tree (written here): Gini for classification, squared error for regression, sample weights,
 * depth / leaf-size limits, a random feature subset per node (random forests), and random thresholds
 * (extremely randomised trees). Stored as flat arrays.
 */
public final class DecisionTree implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Growth settings. */
    public static final class Settings implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        public int maxDepth = Integer.MAX_VALUE;
        public int minSamplesSplit = 2;
        public int minSamplesLeaf = 1;
        public int maxFeatures = Integer.MAX_VALUE;
        public boolean randomSplits;
        public double minImpurityDecrease;
        public Integer maxLeafNodes;
    }

    private int[] feature = new int[16];
    private double[] threshold = new double[16];
    private int[] left = new int[16];
    private int[] right = new int[16];
    private double[][] value = new double[16][];
    private int nodes;
    private final int numClasses; // 0 = regression

    private DecisionTree(int numClasses) {
        this.numClasses = numClasses;
    }

    public int nodeCount() {
        return nodes;
    }

    // ---- stored state (docs/model-format.md, "decision tree") ----

    /**
     * Writes the fitted tree as parallel arrays indexed by node (node 0 is the root; a row goes left when
     * {@code x[feature] <= threshold}):
     * <ul>
     * <li>{@code num_classes}: classes of a classification tree, 0 for a regression tree</li>
     * <li>{@code feature}: per node, the split feature (column of the estimator's input), -1 for a leaf</li>
     * <li>{@code threshold}: per node, the split threshold (0 for a leaf)</li>
     * <li>{@code left}, {@code right}: per node, the index of the child for {@code <=} / {@code >} (-1 for a leaf)</li>
     * <li>{@code value}: per leaf, in node order, {@code max(1, num_classes)} numbers: the class probabilities,
     * or the predicted value</li>
     * </ul>
     */
    public void writeState(StateWriter out) {
        int width = valueWidth(numClasses);
        int leaves = 0;
        for (int n = 0; n < nodes; n++) {
            if (feature[n] < 0) {
                leaves++;
            }
        }
        int[] l = new int[nodes];
        int[] r = new int[nodes];
        double[] values = new double[leaves * width];
        int at = 0;
        for (int n = 0; n < nodes; n++) {
            if (feature[n] >= 0) {
                l[n] = left[n];
                r[n] = right[n];
            } else {
                l[n] = -1;
                r[n] = -1;
                if (value[n].length != width) {
                    throw new IllegalStateException("leaf " + n + " has " + value[n].length + " values, not " + width);
                }
                System.arraycopy(value[n], 0, values, at, width);
                at += width;
            }
        }
        out.put("num_classes", numClasses)
                .put("feature", nodes == feature.length ? feature : Arrays.copyOf(feature, nodes))
                .put("threshold", nodes == threshold.length ? threshold : Arrays.copyOf(threshold, nodes))
                .put("left", l)
                .put("right", r)
                .put("value", values);
    }

    /** Reads a tree {@link #writeState} wrote, checking that every node's children lie after it. */
    public static DecisionTree readState(StateReader in) {
        DecisionTree t = new DecisionTree(in.getInt("num_classes"));
        t.feature = in.ints("feature");
        t.threshold = in.doubles("threshold");
        t.left = in.ints("left");
        t.right = in.ints("right");
        double[] values = in.doubles("value");
        int n = t.feature.length;
        int width = valueWidth(t.numClasses);
        if (n == 0 || t.numClasses < 0 || t.threshold.length != n || t.left.length != n || t.right.length != n) {
            throw damaged(in, "arrays of different lengths");
        }
        t.nodes = n;
        t.value = new double[n][];
        int at = 0;
        for (int i = 0; i < n; i++) {
            if (t.feature[i] >= 0) {
                if (t.left[i] <= i || t.left[i] >= n || t.right[i] <= i || t.right[i] >= n) {
                    throw damaged(in, "node " + i + " has children outside the tree");
                }
            } else {
                if (at + width > values.length) {
                    throw damaged(in, "fewer leaf values than leaves");
                }
                t.value[i] = Arrays.copyOfRange(values, at, at + width);
                at += width;
            }
        }
        if (at != values.length) {
            throw damaged(in, "more leaf values than leaves");
        }
        return t;
    }

    private static int valueWidth(int numClasses) {
        return Math.max(1, numClasses);
    }

    private static TabularException damaged(StateReader in, String what) {
        return new TabularException("the stored decision tree " + in + " is damaged: " + what,
                "the stored bytes are damaged or were written by an incompatible build; retrain the project");
    }

    /** Index of the leaf a row falls in. */
    public int apply(double[] x) {
        int n = 0;
        while (feature[n] >= 0) {
            n = x[feature[n]] <= threshold[n] ? left[n] : right[n];
        }
        return n;
    }

    /** Leaf value: class probabilities, or {mean}. */
    public double[] predict(double[] x) {
        return value[apply(x)];
    }

    public double predictValue(double[] x) {
        return value[apply(x)][0];
    }

    public void setLeafValue(int leaf, double v) {
        value[leaf] = new double[]{v};
    }

    /** Fits a classification tree on rows {@code idx} (with repeats for bootstrap) of x. */
    public static DecisionTree classification(double[][] x, int[] y, int numClasses, double[] w, int[] idx, Settings s, long seed) {
        DecisionTree t = new DecisionTree(numClasses);
        t.grow(x, y, null, w, idx, s, new SplittableRandom(seed));
        return t;
    }

    public static DecisionTree regression(double[][] x, double[] y, double[] w, int[] idx, Settings s, long seed) {
        DecisionTree t = new DecisionTree(0);
        t.grow(x, null, y, w, idx, s, new SplittableRandom(seed));
        return t;
    }

    private int newNode() {
        if (nodes == feature.length) {
            int c = nodes * 2;
            feature = Arrays.copyOf(feature, c);
            threshold = Arrays.copyOf(threshold, c);
            left = Arrays.copyOf(left, c);
            right = Arrays.copyOf(right, c);
            value = Arrays.copyOf(value, c);
        }
        feature[nodes] = -1;
        return nodes++;
    }

    private void trim() {
        feature = Arrays.copyOf(feature, nodes);
        threshold = Arrays.copyOf(threshold, nodes);
        left = Arrays.copyOf(left, nodes);
        right = Arrays.copyOf(right, nodes);
        value = Arrays.copyOf(value, nodes);
    }

    private record Task(int node, int from, int to, int depth) {
    }

    private void grow(double[][] x, int[] yc, double[] yr, double[] w, int[] idxIn, Settings s, SplittableRandom rnd) {
        int[] idx = idxIn.clone();
        int d = x[0].length;
        int mtry = Math.max(1, Math.min(d, s.maxFeatures));
        int[] feats = new int[d];
        for (int j = 0; j < d; j++) {
            feats[j] = j;
        }
        double[] keys = new double[idx.length];
        java.util.ArrayDeque<Task> stack = new java.util.ArrayDeque<>();
        double rootWeight = 0;
        for (int i : idx) {
            rootWeight += w == null ? 1 : w[i];
        }
        rootWeight = Math.max(rootWeight, 1e-300);
        int root = newNode();
        stack.push(new Task(root, 0, idx.length, 0));
        int leaves = 1;
        while (!stack.isEmpty()) {
            Task tk = stack.pop();
            int from = tk.from();
            int to = tk.to();
            int m = to - from;
            value[tk.node()] = leafValue(yc, yr, w, idx, from, to);
            if (tk.depth() >= s.maxDepth || m < s.minSamplesSplit || m < 2 * s.minSamplesLeaf || pure(yc, yr, idx, from, to)
                    || (s.maxLeafNodes != null && leaves >= s.maxLeafNodes)) {
                continue;
            }
            double parentImp = impurityTimesWeight(yc, yr, w, idx, from, to);
            double bestScore = Double.POSITIVE_INFINITY;
            int bestFeat = -1;
            double bestThr = 0;
            // partial Fisher–Yates for the feature subset
            for (int k = 0; k < mtry; k++) {
                int r = k + rnd.nextInt(d - k);
                int tmp = feats[k];
                feats[k] = feats[r];
                feats[r] = tmp;
            }
            for (int fi = 0; fi < mtry; fi++) {
                int f = feats[fi];
                double[] res = s.randomSplits
                        ? randomSplit(x, yc, yr, w, idx, from, to, f, s.minSamplesLeaf, rnd)
                        : bestSplit(x, yc, yr, w, idx, from, to, f, s.minSamplesLeaf, keys);
                if (res != null && res[0] < bestScore) {
                    bestScore = res[0];
                    bestFeat = f;
                    bestThr = res[1];
                }
            }
            if (bestFeat < 0 || (parentImp - bestScore) / rootWeight + 1e-12 < s.minImpurityDecrease) {
                continue;
            }
            // partition idx[from, to) by the split
            int i = from;
            int j = to - 1;
            while (i <= j) {
                if (x[idx[i]][bestFeat] <= bestThr) {
                    i++;
                } else {
                    int t = idx[i];
                    idx[i] = idx[j];
                    idx[j] = t;
                    j--;
                }
            }
            if (i == from || i == to) {
                continue;
            }
            int node = tk.node();
            feature[node] = bestFeat;
            threshold[node] = bestThr;
            int l = newNode();
            int r = newNode();
            left[node] = l;
            right[node] = r;
            leaves++;
            stack.push(new Task(r, i, to, tk.depth() + 1));
            stack.push(new Task(l, from, i, tk.depth() + 1));
        }
        trim();
    }

    private boolean pure(int[] yc, double[] yr, int[] idx, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            if (yc != null ? yc[idx[i]] != yc[idx[from]] : yr[idx[i]] != yr[idx[from]]) {
                return false;
            }
        }
        return true;
    }

    private double[] leafValue(int[] yc, double[] yr, double[] w, int[] idx, int from, int to) {
        if (yc != null) {
            double[] p = new double[numClasses];
            double tot = 0;
            for (int i = from; i < to; i++) {
                double wi = w == null ? 1 : w[idx[i]];
                p[yc[idx[i]]] += wi;
                tot += wi;
            }
            for (int k = 0; k < numClasses; k++) {
                p[k] = tot == 0 ? 1.0 / numClasses : p[k] / tot;
            }
            return p;
        }
        double sw = 0;
        double sy = 0;
        for (int i = from; i < to; i++) {
            double wi = w == null ? 1 : w[idx[i]];
            sw += wi;
            sy += wi * yr[idx[i]];
        }
        return new double[]{sw == 0 ? 0 : sy / sw};
    }

    /** Weighted impurity × weight (Gini·W or SSE) of a node: the quantity splits minimise the sum of. */
    private double impurityTimesWeight(int[] yc, double[] yr, double[] w, int[] idx, int from, int to) {
        if (yc != null) {
            double[] c = new double[numClasses];
            double tot = 0;
            for (int i = from; i < to; i++) {
                double wi = w == null ? 1 : w[idx[i]];
                c[yc[idx[i]]] += wi;
                tot += wi;
            }
            double sq = 0;
            for (double v : c) {
                sq += v * v;
            }
            return tot == 0 ? 0 : tot - sq / tot;
        }
        double sw = 0;
        double sy = 0;
        double syy = 0;
        for (int i = from; i < to; i++) {
            double wi = w == null ? 1 : w[idx[i]];
            double v = yr[idx[i]];
            sw += wi;
            sy += wi * v;
            syy += wi * v * v;
        }
        return sw == 0 ? 0 : syy - sy * sy / sw;
    }

    /** Exhaustive search over thresholds between distinct sorted values. Returns {score, threshold} or null. */
    private double[] bestSplit(double[][] x, int[] yc, double[] yr, double[] w, int[] idx, int from, int to, int f, int minLeaf, double[] keys) {
        int m = to - from;
        int[] order = Arrays.copyOfRange(idx, from, to);
        for (int i = 0; i < m; i++) {
            keys[i] = x[order[i]][f];
        }
        sortByKey(keys, order, 0, m - 1);
        if (keys[0] == keys[m - 1]) {
            return null;
        }
        double best = Double.POSITIVE_INFINITY;
        double thr = 0;
        if (yc != null) {
            double[] lc = new double[numClasses];
            double[] rc = new double[numClasses];
            double lw = 0;
            double rw = 0;
            for (int i = 0; i < m; i++) {
                double wi = w == null ? 1 : w[order[i]];
                rc[yc[order[i]]] += wi;
                rw += wi;
            }
            double lsq = 0;
            double rsq = 0;
            for (double v : rc) {
                rsq += v * v;
            }
            for (int i = 0; i < m - 1; i++) {
                int k = yc[order[i]];
                double wi = w == null ? 1 : w[order[i]];
                lsq += 2 * lc[k] * wi + wi * wi;
                rsq += -2 * rc[k] * wi + wi * wi;
                lc[k] += wi;
                rc[k] -= wi;
                lw += wi;
                rw -= wi;
                if (keys[i] == keys[i + 1] || i + 1 < minLeaf || m - i - 1 < minLeaf) {
                    continue;
                }
                double score = (lw > 0 ? lw - lsq / lw : 0) + (rw > 0 ? rw - rsq / rw : 0);
                if (score < best) {
                    best = score;
                    thr = (keys[i] + keys[i + 1]) / 2;
                    if (thr == keys[i + 1]) {
                        thr = keys[i];
                    }
                }
            }
        } else {
            double lw = 0;
            double ls = 0;
            double rw = 0;
            double rs = 0;
            double total2 = 0;
            for (int i = 0; i < m; i++) {
                double wi = w == null ? 1 : w[order[i]];
                rw += wi;
                rs += wi * yr[order[i]];
                total2 += wi * yr[order[i]] * yr[order[i]];
            }
            for (int i = 0; i < m - 1; i++) {
                double wi = w == null ? 1 : w[order[i]];
                double v = yr[order[i]];
                lw += wi;
                ls += wi * v;
                rw -= wi;
                rs -= wi * v;
                if (keys[i] == keys[i + 1] || i + 1 < minLeaf || m - i - 1 < minLeaf) {
                    continue;
                }
                double score = total2 - (lw > 0 ? ls * ls / lw : 0) - (rw > 0 ? rs * rs / rw : 0);
                if (score < best) {
                    best = score;
                    thr = (keys[i] + keys[i + 1]) / 2;
                    if (thr == keys[i + 1]) {
                        thr = keys[i];
                    }
                }
            }
        }
        return best == Double.POSITIVE_INFINITY ? null : new double[]{best, thr};
    }

    private double[] randomSplit(double[][] x, int[] yc, double[] yr, double[] w, int[] idx, int from, int to, int f, int minLeaf, SplittableRandom rnd) {
        double mn = Double.POSITIVE_INFINITY;
        double mx = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            double v = x[idx[i]][f];
            mn = Math.min(mn, v);
            mx = Math.max(mx, v);
        }
        if (mn == mx) {
            return null;
        }
        double thr = mn + rnd.nextDouble() * (mx - mn);
        if (thr >= mx) {
            thr = mn;
        }
        int nl = 0;
        int nr = 0;
        if (yc != null) {
            double[] lc = new double[numClasses];
            double[] rc = new double[numClasses];
            double lw = 0;
            double rw = 0;
            for (int i = from; i < to; i++) {
                double wi = w == null ? 1 : w[idx[i]];
                if (x[idx[i]][f] <= thr) {
                    lc[yc[idx[i]]] += wi;
                    lw += wi;
                    nl++;
                } else {
                    rc[yc[idx[i]]] += wi;
                    rw += wi;
                    nr++;
                }
            }
            if (nl < minLeaf || nr < minLeaf) {
                return null;
            }
            double lsq = 0;
            double rsq = 0;
            for (int k = 0; k < numClasses; k++) {
                lsq += lc[k] * lc[k];
                rsq += rc[k] * rc[k];
            }
            return new double[]{(lw > 0 ? lw - lsq / lw : 0) + (rw > 0 ? rw - rsq / rw : 0), thr};
        }
        double lw = 0;
        double ls = 0;
        double rw = 0;
        double rs = 0;
        double t2 = 0;
        for (int i = from; i < to; i++) {
            double wi = w == null ? 1 : w[idx[i]];
            double v = yr[idx[i]];
            t2 += wi * v * v;
            if (x[idx[i]][f] <= thr) {
                lw += wi;
                ls += wi * v;
                nl++;
            } else {
                rw += wi;
                rs += wi * v;
                nr++;
            }
        }
        if (nl < minLeaf || nr < minLeaf) {
            return null;
        }
        return new double[]{t2 - (lw > 0 ? ls * ls / lw : 0) - (rw > 0 ? rs * rs / rw : 0), thr};
    }

    /** Sorts keys[lo..hi] ascending, permuting vals alongside (introsort-free quicksort + insertion). */
    static void sortByKey(double[] keys, int[] vals, int lo, int hi) {
        while (hi - lo > 16) {
            int mid = (lo + hi) >>> 1;
            double a = keys[lo];
            double b = keys[mid];
            double c = keys[hi];
            double pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (keys[i] < pivot) {
                    i++;
                }
                while (keys[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double tk = keys[i];
                    keys[i] = keys[j];
                    keys[j] = tk;
                    int tv = vals[i];
                    vals[i] = vals[j];
                    vals[j] = tv;
                    i++;
                    j--;
                }
            }
            if (j - lo < hi - i) {
                sortByKey(keys, vals, lo, j);
                lo = i;
            } else {
                sortByKey(keys, vals, i, hi);
                hi = j;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            double k = keys[i];
            int v = vals[i];
            int j = i - 1;
            while (j >= lo && keys[j] > k) {
                keys[j + 1] = keys[j];
                vals[j + 1] = vals[j];
                j--;
            }
            keys[j + 1] = k;
            vals[j + 1] = v;
        }
    }
}
