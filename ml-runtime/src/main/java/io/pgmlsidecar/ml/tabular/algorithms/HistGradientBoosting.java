package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * {@code hist_gradient_boosting} (written here, after scikit-learn's HistGradientBoostingRegressor /
 * Classifier): features binned into at most {@code max_bins} (255) quantile bins, trees grown best-first
 * (leaf-wise) up to {@code max_leaf_nodes} (31) from gradient/hessian histograms (the larger child by
 * subtraction), second-order leaf values −G/(H + l2_regularization), shrunk by {@code learning_rate}
 * (0.1), {@code max_iter} (100) rounds; squared error or log loss (one tree per class for more than two
 * classes). Early stopping on a 10 % validation split when {@code early_stopping} is true, or "auto" and
 * there are more than 10,000 rows.
 */
public final class HistGradientBoosting implements Estimator {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add("hist_gradient_boosting", 1, HistGradientBoosting::new);
    }

    @Serial
    private static final long serialVersionUID = 1L;

    private final double learningRate;
    private final int maxIter;
    private final int maxLeafNodes;
    private final int maxDepth;
    private final int minSamplesLeaf;
    private final double l2;
    private final int maxBins;
    private final Object earlyStopping;
    private final double validationFraction;
    private final int nIterNoChange;
    private final double tol;
    private final long seed;
    private double[] baseline;
    private final List<Tree[]> trees = new ArrayList<>();
    private int numClasses;

    /** A stored model: only what prediction reads; the fitting settings are neutral (a loaded model only predicts). */
    private HistGradientBoosting(StateReader in) {
        learningRate = 0;
        maxIter = 0;
        maxLeafNodes = 0;
        maxDepth = 0;
        minSamplesLeaf = 0;
        l2 = 0;
        maxBins = 0;
        earlyStopping = false;
        validationFraction = 0;
        nIterNoChange = 0;
        tol = 0;
        seed = 0;
        numClasses = in.getInt("num_classes");
        baseline = in.doubles("baseline");
        List<Tree> all = in.list("trees", Tree::readState);
        int perRound = baseline.length;
        if (perRound < 1 || all == null || all.size() % perRound != 0 || all.contains(null)) {
            throw new TabularException("the stored hist_gradient_boosting model's trees do not fill rounds of " + perRound,
                    "the stored bytes are damaged; retrain the project");
        }
        for (int i = 0; i < all.size(); i += perRound) {
            trees.add(all.subList(i, i + perRound).toArray(Tree[]::new));
        }
    }

    @Override
    public String storedType() {
        return "hist_gradient_boosting";
    }

    /**
     * Fields: {@code num_classes} (classes, 0 for regression); {@code baseline} (the initial raw score per
     * output: the mean for regression, the log-odds of class 1 for two classes, the log prior per class for
     * more; its length is the number of trees per round); {@code trees} (round by round, {@code baseline.length}
     * per round, each a {@link Tree#writeState} map; leaf values already include the learning rate). Raw score
     * = baseline + Σ tree values; classification applies the sigmoid (two classes) or softmax.
     */
    @Override
    public void writeState(StateWriter out) {
        out.put("num_classes", numClasses).put("baseline", baseline);
        out.putList("trees", trees.stream().flatMap(Arrays::stream).toList(), (w, t) -> t.writeState(w));
    }

    public HistGradientBoosting(Params p, boolean classification) {
        learningRate = p.dbl("learning_rate", 0.1);
        maxIter = p.integer("max_iter", 100);
        Integer mln = p.optInt("max_leaf_nodes", 31);
        maxLeafNodes = mln == null ? Integer.MAX_VALUE : mln;
        Integer md = p.optInt("max_depth", null);
        maxDepth = md == null ? Integer.MAX_VALUE : md;
        minSamplesLeaf = p.integer("min_samples_leaf", 20);
        l2 = p.dbl("l2_regularization", 0.0);
        maxBins = p.integer("max_bins", 255);
        earlyStopping = p.any("early_stopping", "auto");
        validationFraction = p.dbl("validation_fraction", 0.1);
        nIterNoChange = p.integer("n_iter_no_change", 10);
        tol = p.dbl("tol", 1e-7);
        seed = p.seed(0);
        p.str("loss", classification ? "log_loss" : "squared_error", classification ? new String[]{"log_loss"} : new String[]{"squared_error"});
        p.mark("scoring", "categorical_features", "monotonic_cst", "interaction_cst", "warm_start", "class_weight");
        if (maxBins < 2 || maxBins > 255) {
            throw p.bad("max_bins", maxBins, "between 2 and 255");
        }
        if (maxLeafNodes < 2) {
            throw p.bad("max_leaf_nodes", maxLeafNodes, "≥ 2");
        }
    }

    /** A fitted tree on raw feature values (thresholds are bin edges). */
    static final class Tree implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        int[] feature;
        double[] threshold;
        int[] left;
        int[] right;
        double[] value;

        /**
         * Parallel arrays indexed by node (node 0 is the root; a row goes left when {@code x[feature] <= threshold},
         * thresholds being bin edges on the raw feature values): {@code feature} (split feature, -1 for a leaf),
         * {@code threshold} (0 for a leaf), {@code left} and {@code right} (children, -1 for a leaf), {@code value}
         * (per leaf, in node order, the leaf's contribution to the raw score).
         */
        void writeState(StateWriter out) {
            int leaves = 0;
            for (int f : feature) {
                if (f < 0) {
                    leaves++;
                }
            }
            double[] values = new double[leaves];
            int at = 0;
            for (int n = 0; n < feature.length; n++) {
                if (feature[n] < 0) {
                    values[at++] = value[n];
                }
            }
            out.put("feature", feature).put("threshold", threshold).put("left", left).put("right", right).put("value", values);
        }

        static Tree readState(StateReader in) {
            Tree t = new Tree();
            t.feature = in.ints("feature");
            t.threshold = in.doubles("threshold");
            t.left = in.ints("left");
            t.right = in.ints("right");
            double[] values = in.doubles("value");
            int n = t.feature.length;
            if (n == 0 || t.threshold.length != n || t.left.length != n || t.right.length != n) {
                throw damaged("arrays of different lengths");
            }
            t.value = new double[n];
            int at = 0;
            for (int i = 0; i < n; i++) {
                if (t.feature[i] >= 0) {
                    if (t.left[i] <= i || t.left[i] >= n || t.right[i] <= i || t.right[i] >= n) {
                        throw damaged("node " + i + " has children outside the tree");
                    }
                } else {
                    if (at == values.length) {
                        throw damaged("fewer leaf values than leaves");
                    }
                    t.value[i] = values[at++];
                }
            }
            if (at != values.length) {
                throw damaged("more leaf values than leaves");
            }
            return t;
        }

        private static TabularException damaged(String what) {
            return new TabularException("a stored hist_gradient_boosting tree is damaged: " + what,
                    "the stored bytes are damaged or were written by an incompatible build; retrain the project");
        }

        double predict(double[] x) {
            int n = 0;
            while (feature[n] >= 0) {
                n = x[feature[n]] <= threshold[n] ? left[n] : right[n];
            }
            return value[n];
        }
    }

    // ---------- binning ----------

    private static double[][] binEdges(double[][] x, int maxBins) {
        int d = x[0].length;
        double[][] edges = new double[d][];
        for (int j = 0; j < d; j++) {
            double[] col = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                col[i] = x[i][j];
            }
            Arrays.sort(col);
            double[] uniq = Arrays.stream(col).distinct().toArray();
            if (uniq.length <= maxBins) {
                edges[j] = new double[Math.max(0, uniq.length - 1)];
                for (int k = 0; k + 1 < uniq.length; k++) {
                    edges[j][k] = (uniq[k] + uniq[k + 1]) / 2;
                }
            } else {
                double[] e = new double[maxBins - 1];
                for (int k = 1; k < maxBins; k++) {
                    e[k - 1] = io.pgmlsidecar.ml.tabular.preprocess.Preprocessor.quantile(col, (double) k / maxBins);
                }
                edges[j] = Arrays.stream(e).distinct().toArray();
            }
        }
        return edges;
    }

    private static int bin(double v, double[] edges) {
        int lo = 0;
        int hi = edges.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (v <= edges[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    // ---------- growing ----------

    private record Split(double gain, int feature, int bin, double gl, double hl, int nl) {
    }

    private final class Grower {
        final int[][] binned; // [row][feature]
        final double[][] edges;
        final double[] g;
        final double[] h;
        final int d;
        final List<Integer> feature = new ArrayList<>();
        final List<Double> threshold = new ArrayList<>();
        final List<Integer> left = new ArrayList<>();
        final List<Integer> right = new ArrayList<>();
        final List<Double> value = new ArrayList<>();

        Grower(int[][] binned, double[][] edges, double[] g, double[] h) {
            this.binned = binned;
            this.edges = edges;
            this.g = g;
            this.h = h;
            this.d = edges.length;
        }

        final class Node {
            final int id;
            final int[] rows;
            final int depth;
            final double[][][] hist; // [feature][bin][g,h,count]
            final double sg;
            final double sh;
            Split split;

            Node(int id, int[] rows, int depth, double[][][] hist) {
                this.id = id;
                this.rows = rows;
                this.depth = depth;
                this.hist = hist;
                double a = 0;
                double b = 0;
                for (int r : rows) {
                    a += g[r];
                    b += h[r];
                }
                sg = a;
                sh = b;
            }
        }

        int newNode(double v) {
            feature.add(-1);
            threshold.add(0.0);
            left.add(-1);
            right.add(-1);
            value.add(v);
            return feature.size() - 1;
        }

        double[][][] histogram(int[] rows) {
            double[][][] hist = new double[d][][];
            for (int f = 0; f < d; f++) {
                hist[f] = new double[edges[f].length + 1][3];
            }
            for (int r : rows) {
                int[] b = binned[r];
                double gr = g[r];
                double hr = h[r];
                for (int f = 0; f < d; f++) {
                    double[] cell = hist[f][b[f]];
                    cell[0] += gr;
                    cell[1] += hr;
                    cell[2] += 1;
                }
            }
            return hist;
        }

        double leafValue(double sg, double sh) {
            return -learningRate * sg / (sh + l2 + 1e-300);
        }

        Split bestSplit(Node node) {
            if (node.rows.length < 2 * minSamplesLeaf || node.depth >= maxDepth) {
                return null;
            }
            double parent = node.sg * node.sg / (node.sh + l2);
            Split best = null;
            for (int f = 0; f < d; f++) {
                double[][] hf = node.hist[f];
                double gl = 0;
                double hl = 0;
                int nl = 0;
                for (int b = 0; b + 1 < hf.length; b++) {
                    gl += hf[b][0];
                    hl += hf[b][1];
                    nl += (int) hf[b][2];
                    int nr = node.rows.length - nl;
                    if (nl < minSamplesLeaf) {
                        continue;
                    }
                    if (nr < minSamplesLeaf) {
                        break;
                    }
                    double hr = node.sh - hl;
                    if (hl < 1e-3 || hr < 1e-3) {
                        continue;
                    }
                    double gr = node.sg - gl;
                    double gain = 0.5 * (gl * gl / (hl + l2) + gr * gr / (hr + l2) - parent);
                    if (gain > 1e-12 && (best == null || gain > best.gain())) {
                        best = new Split(gain, f, b, gl, hl, nl);
                    }
                }
            }
            return best;
        }

        Tree grow(int[] rows) {
            Node root = new Node(newNode(0), rows, 0, histogram(rows));
            value.set(root.id, leafValue(root.sg, root.sh));
            PriorityQueue<Node> open = new PriorityQueue<>((a, b) -> Double.compare(b.split.gain(), a.split.gain()));
            root.split = bestSplit(root);
            if (root.split != null) {
                open.add(root);
            }
            int leaves = 1;
            while (!open.isEmpty() && leaves < maxLeafNodes) {
                Node n = open.poll();
                Split s = n.split;
                int[] l = new int[s.nl()];
                int[] r = new int[n.rows.length - s.nl()];
                int a = 0;
                int b = 0;
                for (int row : n.rows) {
                    if (binned[row][s.feature()] <= s.bin()) {
                        l[a++] = row;
                    } else {
                        r[b++] = row;
                    }
                }
                boolean leftSmaller = l.length <= r.length;
                double[][][] small = histogram(leftSmaller ? l : r);
                double[][][] large = new double[d][][];
                for (int f = 0; f < d; f++) {
                    large[f] = new double[n.hist[f].length][3];
                    for (int k = 0; k < large[f].length; k++) {
                        for (int c = 0; c < 3; c++) {
                            large[f][k][c] = n.hist[f][k][c] - small[f][k][c];
                        }
                    }
                }
                Node ln = new Node(newNode(0), l, n.depth + 1, leftSmaller ? small : large);
                Node rn = new Node(newNode(0), r, n.depth + 1, leftSmaller ? large : small);
                value.set(ln.id, leafValue(ln.sg, ln.sh));
                value.set(rn.id, leafValue(rn.sg, rn.sh));
                feature.set(n.id, s.feature());
                threshold.set(n.id, edges[s.feature()][s.bin()]);
                left.set(n.id, ln.id);
                right.set(n.id, rn.id);
                leaves++;
                for (Node c : new Node[]{ln, rn}) {
                    c.split = bestSplit(c);
                    if (c.split != null) {
                        open.add(c);
                    }
                }
            }
            Tree t = new Tree();
            t.feature = feature.stream().mapToInt(Integer::intValue).toArray();
            t.threshold = threshold.stream().mapToDouble(Double::doubleValue).toArray();
            t.left = left.stream().mapToInt(Integer::intValue).toArray();
            t.right = right.stream().mapToInt(Integer::intValue).toArray();
            t.value = value.stream().mapToDouble(Double::doubleValue).toArray();
            return t;
        }
    }

    // ---------- fitting ----------

    private boolean useEarlyStopping(int n) {
        if (earlyStopping instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(earlyStopping);
        if (s.equals("auto")) {
            return n > 10_000;
        }
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new TabularException("hyperparameter early_stopping of hist_gradient_boosting must be auto, true or false, got " + earlyStopping);
    }

    private void fit(double[][] x, double[] yReg, int[] yCls, FitContext ctx) {
        int n = x.length;
        int k = yCls == null || numClasses == 2 ? 1 : numClasses;
        int[] trainRows;
        int[] validRows = new int[0];
        if (useEarlyStopping(n)) {
            int[] perm = LinearModels.sample(n, n, new SplittableRandom(seed));
            int nv = Math.max(1, (int) (validationFraction * n));
            validRows = Arrays.copyOf(perm, nv);
            trainRows = Arrays.copyOfRange(perm, nv, n);
        } else {
            trainRows = new int[n];
            for (int i = 0; i < n; i++) {
                trainRows[i] = i;
            }
        }
        double[][] trainX = new double[trainRows.length][];
        for (int i = 0; i < trainRows.length; i++) {
            trainX[i] = x[trainRows[i]];
        }
        double[][] edges = binEdges(trainX, maxBins);
        int d = edges.length;
        int[][] binned = new int[n][d];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < d; f++) {
                binned[i][f] = bin(x[i][f], edges[f]);
            }
        }
        baseline = new double[k];
        if (yCls == null) {
            double s = 0;
            for (int r : trainRows) {
                s += yReg[r];
            }
            baseline[0] = s / trainRows.length;
        } else {
            double[] prior = new double[numClasses];
            for (int r : trainRows) {
                prior[yCls[r]]++;
            }
            if (numClasses == 2) {
                double p1 = Math.min(Math.max(prior[1] / trainRows.length, 1e-12), 1 - 1e-12);
                baseline[0] = Math.log(p1 / (1 - p1));
            } else {
                for (int c = 0; c < k; c++) {
                    baseline[c] = Math.log(Math.max(prior[c] / trainRows.length, 1e-12));
                }
            }
        }
        double[][] raw = new double[n][k];
        for (double[] r : raw) {
            System.arraycopy(baseline, 0, r, 0, k);
        }
        double[] g = new double[n];
        double[] h = new double[n];
        double bestLoss = Double.POSITIVE_INFINITY;
        int noImprove = 0;
        trees.clear();
        for (int it = 0; it < maxIter; it++) {
            ctx.step("fit", "boosting round", it + 1, maxIter);
            Tree[] round = new Tree[k];
            double[][] prob = yCls == null ? null : new double[n][];
            if (yCls != null) {
                for (int i = 0; i < n; i++) {
                    prob[i] = link(raw[i]);
                }
            }
            for (int c = 0; c < k; c++) {
                for (int r : trainRows) {
                    if (yCls == null) {
                        g[r] = raw[r][0] - yReg[r];
                        h[r] = 1;
                    } else {
                        int cls = numClasses == 2 ? 1 : c;
                        double p = prob[r][cls];
                        g[r] = p - (yCls[r] == cls ? 1 : 0);
                        h[r] = Math.max(p * (1 - p), 1e-16);
                    }
                }
                Tree t = new Grower(binned, edges, g, h).grow(trainRows);
                round[c] = t;
                for (int i = 0; i < n; i++) {
                    raw[i][c] += t.predict(x[i]);
                }
            }
            trees.add(round);
            if (validRows.length > 0) {
                double loss = 0;
                for (int r : validRows) {
                    if (yCls == null) {
                        loss += (raw[r][0] - yReg[r]) * (raw[r][0] - yReg[r]);
                    } else {
                        double p = link(raw[r])[yCls[r]];
                        loss -= Math.log(Math.max(p, 1e-15));
                    }
                }
                loss /= validRows.length;
                if (loss < bestLoss - tol) {
                    bestLoss = loss;
                    noImprove = 0;
                } else if (++noImprove >= nIterNoChange) {
                    break;
                }
            }
        }
    }

    private double[] link(double[] raw) {
        if (numClasses == 2) {
            double p1 = 1 / (1 + Math.exp(-raw[0]));
            return new double[]{1 - p1, p1};
        }
        double mx = Arrays.stream(raw).max().orElse(0);
        double[] p = new double[raw.length];
        double s = 0;
        for (int c = 0; c < raw.length; c++) {
            p[c] = Math.exp(raw[c] - mx);
            s += p[c];
        }
        for (int c = 0; c < raw.length; c++) {
            p[c] /= s;
        }
        return p;
    }

    private double[] raw(double[] x) {
        double[] r = baseline.clone();
        for (Tree[] round : trees) {
            for (int c = 0; c < round.length; c++) {
                r[c] += round[c].predict(x);
            }
        }
        return r;
    }

    @Override
    public void fitRegression(double[][] x, double[] y, FitContext ctx) {
        fit(x, y, null, ctx);
    }

    @Override
    public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
        this.numClasses = numClasses;
        fit(x, null, y, ctx);
    }

    @Override
    public double[] predictValues(double[][] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = raw(x[i])[0];
        }
        return out;
    }

    @Override
    public boolean supportsProba() {
        return numClasses > 0;
    }

    @Override
    public double[][] predictProba(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = link(raw(x[i]));
        }
        return out;
    }

    @Override
    public int[] predictClasses(double[][] x) {
        return Estimator.argmax(predictProba(x));
    }

    /** Number of boosting rounds kept (fewer than max_iter after early stopping). */
    public int rounds() {
        return trees.size();
    }
}
