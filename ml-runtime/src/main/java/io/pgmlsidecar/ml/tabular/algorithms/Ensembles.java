package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Tree ensembles over {@link DecisionTree} (written here, scikit-learn's defaults):
 * {@code random_forest}, {@code extra_trees}, {@code bagging}, {@code gradient_boosting_trees},
 * {@code ada_boost} (SAMME for classification, AdaBoost.R2 for regression).
 */
public final class Ensembles {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add("forest", 1, Forest::new);
        formats.add("gradient_boosting", 1, GradientBoosting::new);
        formats.add("ada_boost", 1, AdaBoost::new);
    }

    /** The trees of a stored ensemble, each a {@link DecisionTree#writeState} map. */
    static DecisionTree[] readTrees(StateReader in, String name) {
        List<DecisionTree> trees = in.list(name, DecisionTree::readState);
        if (trees == null || trees.isEmpty() || trees.contains(null)) {
            throw new TabularException("the stored model's ensemble " + in + " has no trees or a null tree",
                    "the stored bytes are damaged or were written by an incompatible build; retrain the project");
        }
        return trees.toArray(DecisionTree[]::new);
    }

    private static void writeTrees(StateWriter out, String name, DecisionTree[] trees) {
        out.putList(name, trees, (w, t) -> t.writeState(w));
    }

    private Ensembles() {
    }

    static int maxFeatures(Object spec, int d, String name) {
        if (spec == null || "none".equalsIgnoreCase(String.valueOf(spec)) || "null".equals(String.valueOf(spec))) {
            return d;
        }
        String s = String.valueOf(spec).toLowerCase(java.util.Locale.ROOT);
        if (s.equals("sqrt") || s.equals("auto")) {
            return Math.max(1, (int) Math.sqrt(d));
        }
        if (s.equals("log2")) {
            return Math.max(1, (int) (Math.log(d) / Math.log(2)));
        }
        if (spec instanceof Number n) {
            double v = n.doubleValue();
            if (spec instanceof Integer || spec instanceof Long || (v > 1 && v == Math.rint(v))) {
                return Math.max(1, Math.min(d, (int) v));
            }
            if (v > 0 && v <= 1) {
                return Math.max(1, (int) (v * d));
            }
        }
        throw new TabularException("hyperparameter max_features of " + name + " must be sqrt, log2, a fraction in (0, 1] or a count, got " + spec);
    }

    static DecisionTree.Settings treeSettings(Params p, boolean randomSplits) {
        DecisionTree.Settings s = new DecisionTree.Settings();
        Integer md = p.optInt("max_depth", null);
        s.maxDepth = md == null ? Integer.MAX_VALUE : md;
        s.minSamplesSplit = p.integer("min_samples_split", 2);
        s.minSamplesLeaf = p.integer("min_samples_leaf", 1);
        s.minImpurityDecrease = p.dbl("min_impurity_decrease", 0.0);
        s.maxLeafNodes = p.optInt("max_leaf_nodes", null);
        s.randomSplits = randomSplits;
        p.mark("criterion", "min_weight_fraction_leaf", "ccp_alpha", "oob_score", "warm_start", "class_weight", "monotonic_cst");
        return s;
    }

    /** Random forest, extra trees, and bagging of full trees. */
    public static final class Forest implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        private final String name;
        private final int nEstimators;
        private final DecisionTree.Settings settings;
        private final Object maxFeaturesSpec;
        private final boolean bootstrap;
        private final Object maxSamples;
        private final long seed;
        private DecisionTree[] trees;
        private int[][] featureSubsets; // bagging with max_features < 1: per-estimator feature columns
        private int numClasses;

        /** A stored forest: only what prediction reads; the growth settings are neutral (a loaded model only predicts). */
        private Forest(StateReader in) {
            name = "forest";
            nEstimators = 0;
            settings = new DecisionTree.Settings();
            maxFeaturesSpec = null;
            bootstrap = false;
            maxSamples = null;
            seed = 0;
            numClasses = in.getInt("num_classes");
            trees = readTrees(in, "trees");
            featureSubsets = in.intMatrix("feature_subsets");
            if (featureSubsets != null && featureSubsets.length != trees.length) {
                throw new TabularException("the stored forest has " + featureSubsets.length + " feature subsets for " + trees.length + " trees",
                        "the stored bytes are damaged; retrain the project");
            }
        }

        @Override
        public String storedType() {
            return "forest";
        }

        /**
         * Fields: {@code num_classes} (classes, 0 for regression); {@code trees} (one {@link DecisionTree#writeState}
         * map per tree; the prediction is the mean of the trees' values or class probabilities);
         * {@code feature_subsets} (bagging with max_features below 1: per tree, the input columns it sees, in
         * order; otherwise null).
         */
        @Override
        public void writeState(StateWriter out) {
            out.put("num_classes", numClasses);
            writeTrees(out, "trees", trees);
            out.put("feature_subsets", featureSubsets);
        }

        public Forest(Params p, String kind, boolean classification) {
            name = kind;
            boolean extra = kind.equals("extra_trees");
            boolean bagging = kind.equals("bagging");
            nEstimators = p.integer("n_estimators", bagging ? 10 : 100);
            settings = bagging ? new DecisionTree.Settings() : treeSettings(p, extra);
            maxFeaturesSpec = bagging ? p.any("max_features", 1.0) : p.any("max_features", classification ? "sqrt" : 1.0);
            bootstrap = p.bool("bootstrap", !extra);
            maxSamples = p.any("max_samples", bagging ? 1.0 : null);
            seed = p.seed(0);
            if (bagging) {
                p.mark("bootstrap_features", "estimator", "base_estimator", "oob_score", "warm_start");
            }
            if (nEstimators < 1) {
                throw p.bad("n_estimators", nEstimators, "≥ 1");
            }
        }

        private int[] sampleRows(int n, SplittableRandom rnd) {
            int m = n;
            if (maxSamples instanceof Number ms) {
                double v = ms.doubleValue();
                m = (v <= 1 && !(ms instanceof Integer)) ? Math.max(1, (int) Math.round(v * n)) : Math.min(n, (int) v);
            }
            int[] idx = new int[m];
            if (bootstrap) {
                for (int i = 0; i < m; i++) {
                    idx[i] = rnd.nextInt(n);
                }
            } else if (m == n) {
                for (int i = 0; i < n; i++) {
                    idx[i] = i;
                }
            } else {
                idx = LinearModels.sample(n, m, rnd);
            }
            return idx;
        }

        private void fit(double[][] x, int[] yc, double[] yr, FitContext ctx) {
            int n = x.length;
            int d = x[0].length;
            int mf = maxFeatures(maxFeaturesSpec, d, name);
            boolean bagging = name.equals("bagging");
            DecisionTree.Settings s = settings;
            if (!bagging) {
                s.maxFeatures = mf;
            }
            trees = new DecisionTree[nEstimators];
            featureSubsets = bagging && mf < d ? new int[nEstimators][] : null;
            AtomicInteger done = new AtomicInteger();
            IntStream.range(0, nEstimators).parallel().forEach(t -> {
                ctx.checkCancelled();
                SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + t);
                int[] rows = sampleRows(n, rnd);
                double[][] xx = x;
                if (featureSubsets != null) {
                    int[] cols = LinearModels.sample(d, mf, rnd);
                    Arrays.sort(cols);
                    featureSubsets[t] = cols;
                    xx = project(x, cols);
                }
                trees[t] = yc != null
                        ? DecisionTree.classification(xx, yc, numClasses, null, rows, s, rnd.nextLong())
                        : DecisionTree.regression(xx, yr, null, rows, s, rnd.nextLong());
                int k = done.incrementAndGet();
                ctx.step("fit", name + " tree", k, nEstimators);
            });
        }

        static double[][] project(double[][] x, int[] cols) {
            double[][] out = new double[x.length][cols.length];
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < cols.length; j++) {
                    out[i][j] = x[i][cols[j]];
                }
            }
            return out;
        }

        private double[] row(double[] x, int t) {
            if (featureSubsets == null) {
                return x;
            }
            int[] cols = featureSubsets[t];
            double[] r = new double[cols.length];
            for (int j = 0; j < cols.length; j++) {
                r[j] = x[cols[j]];
            }
            return r;
        }

        @Override
        public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
            this.numClasses = numClasses;
            fit(x, y, null, ctx);
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            fit(x, null, y, ctx);
        }

        @Override
        public double[] predictValues(double[][] x) {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double s = 0;
                for (int t = 0; t < trees.length; t++) {
                    s += trees[t].predictValue(row(x[i], t));
                }
                out[i] = s / trees.length;
            }
            return out;
        }

        @Override
        public boolean supportsProba() {
            return true;
        }

        @Override
        public double[][] predictProba(double[][] x) {
            double[][] out = new double[x.length][numClasses];
            for (int i = 0; i < x.length; i++) {
                for (int t = 0; t < trees.length; t++) {
                    double[] p = trees[t].predict(row(x[i], t));
                    for (int k = 0; k < numClasses; k++) {
                        out[i][k] += p[k] / trees.length;
                    }
                }
            }
            return out;
        }

        @Override
        public int[] predictClasses(double[][] x) {
            return Estimator.argmax(predictProba(x));
        }
    }

    /** {@code gradient_boosting_trees}: GradientBoostingRegressor (squared error) / GradientBoostingClassifier (log loss). */
    public static final class GradientBoosting implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        private final int nEstimators;
        private final double learningRate;
        private final double subsample;
        private final DecisionTree.Settings settings;
        private final Object maxFeaturesSpec;
        private final long seed;
        private double[] init;
        private DecisionTree[][] trees; // [round][class or 0]
        private int numClasses;

        /** A stored model: only what prediction reads; the growth settings are neutral (a loaded model only predicts). */
        private GradientBoosting(StateReader in) {
            nEstimators = 0;
            learningRate = in.getDouble("learning_rate");
            subsample = 1;
            settings = new DecisionTree.Settings();
            maxFeaturesSpec = null;
            seed = 0;
            numClasses = in.getInt("num_classes");
            init = in.doubles("init");
            DecisionTree[] all = readTrees(in, "trees");
            int perRound = init.length;
            if (perRound < 1 || all.length % perRound != 0) {
                throw new TabularException("the stored gradient boosting model has " + all.length + " trees for " + perRound + " per round",
                        "the stored bytes are damaged; retrain the project");
            }
            trees = new DecisionTree[all.length / perRound][perRound];
            for (int i = 0; i < all.length; i++) {
                trees[i / perRound][i % perRound] = all[i];
            }
        }

        @Override
        public String storedType() {
            return "gradient_boosting";
        }

        /**
         * Fields: {@code num_classes} (classes, 0 for regression); {@code learning_rate} (the shrinkage applied
         * to every tree's value); {@code init} (the initial raw score per output: the mean for regression, the
         * log-odds of class 1 for two classes, the log prior per class for more; its length is the number of
         * trees per round); {@code trees} (regression {@link DecisionTree#writeState} maps, round by round,
         * {@code init.length} per round). Raw score = init + learning_rate × Σ tree values; classification
         * applies the sigmoid (two classes) or softmax.
         */
        @Override
        public void writeState(StateWriter out) {
            out.put("num_classes", numClasses).put("learning_rate", learningRate).put("init", init);
            writeTrees(out, "trees", Arrays.stream(trees).flatMap(Arrays::stream).toArray(DecisionTree[]::new));
        }

        public GradientBoosting(Params p, boolean classification) {
            nEstimators = p.integer("n_estimators", 100);
            learningRate = p.dbl("learning_rate", 0.1);
            subsample = p.dbl("subsample", 1.0);
            p.str("loss", classification ? "log_loss" : "squared_error", classification ? new String[]{"log_loss", "deviance"} : new String[]{"squared_error", "ls"});
            settings = treeSettings(p, false);
            if (!p.has("max_depth")) {
                settings.maxDepth = 3;
            }
            maxFeaturesSpec = p.any("max_features", null);
            seed = p.seed(0);
            p.mark("init", "validation_fraction", "n_iter_no_change", "tol", "alpha");
        }

        private int[] rows(int n, SplittableRandom rnd) {
            if (subsample >= 1) {
                int[] idx = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = i;
                }
                return idx;
            }
            return LinearModels.sample(n, Math.max(1, (int) (subsample * n)), rnd);
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            int n = x.length;
            settings.maxFeatures = maxFeatures(maxFeaturesSpec, x[0].length, "gradient_boosting_trees");
            init = new double[]{Linalg.mean(y)};
            double[] f = new double[n];
            Arrays.fill(f, init[0]);
            trees = new DecisionTree[nEstimators][1];
            SplittableRandom rnd = new SplittableRandom(seed);
            double[] r = new double[n];
            for (int m = 0; m < nEstimators; m++) {
                ctx.step("fit", "boosting round", m + 1, nEstimators);
                for (int i = 0; i < n; i++) {
                    r[i] = y[i] - f[i];
                }
                DecisionTree t = DecisionTree.regression(x, r, null, rows(n, rnd), settings, rnd.nextLong());
                trees[m][0] = t;
                for (int i = 0; i < n; i++) {
                    f[i] += learningRate * t.predictValue(x[i]);
                }
            }
        }

        @Override
        public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
            this.numClasses = numClasses;
            int n = x.length;
            settings.maxFeatures = maxFeatures(maxFeaturesSpec, x[0].length, "gradient_boosting_trees");
            int kk = numClasses == 2 ? 1 : numClasses;
            double[] prior = new double[numClasses];
            for (int v : y) {
                prior[v]++;
            }
            init = new double[kk];
            if (numClasses == 2) {
                double p1 = Math.min(Math.max(prior[1] / n, 1e-12), 1 - 1e-12);
                init[0] = Math.log(p1 / (1 - p1));
            } else {
                for (int k = 0; k < kk; k++) {
                    init[k] = Math.log(Math.max(prior[k] / n, 1e-12));
                }
            }
            double[][] f = new double[n][kk];
            for (double[] row : f) {
                System.arraycopy(init, 0, row, 0, kk);
            }
            trees = new DecisionTree[nEstimators][kk];
            SplittableRandom rnd = new SplittableRandom(seed);
            double[] r = new double[n];
            for (int m = 0; m < nEstimators; m++) {
                ctx.step("fit", "boosting round", m + 1, nEstimators);
                double[][] prob = new double[n][];
                for (int i = 0; i < n; i++) {
                    prob[i] = link(f[i]);
                }
                int[] sub = rows(n, rnd);
                for (int k = 0; k < kk; k++) {
                    int cls = numClasses == 2 ? 1 : k;
                    for (int i = 0; i < n; i++) {
                        r[i] = (y[i] == cls ? 1 : 0) - prob[i][cls];
                    }
                    DecisionTree t = DecisionTree.regression(x, r, null, sub, settings, rnd.nextLong());
                    // Newton step per leaf
                    int nodes = t.nodeCount();
                    double[] num = new double[nodes];
                    double[] den = new double[nodes];
                    boolean[] in = new boolean[n];
                    for (int i : sub) {
                        in[i] = true;
                    }
                    int[] leafOf = new int[n];
                    for (int i = 0; i < n; i++) {
                        leafOf[i] = t.apply(x[i]);
                        if (in[i]) {
                            double ri = r[i];
                            num[leafOf[i]] += ri;
                            double a = Math.abs(ri);
                            den[leafOf[i]] += a * (1 - a);
                        }
                    }
                    double factor = numClasses == 2 ? 1.0 : (numClasses - 1.0) / numClasses;
                    for (int leaf = 0; leaf < nodes; leaf++) {
                        if (den[leaf] != 0 || num[leaf] != 0) {
                            t.setLeafValue(leaf, den[leaf] < 1e-150 ? 0 : factor * num[leaf] / den[leaf]);
                        }
                    }
                    trees[m][k] = t;
                    for (int i = 0; i < n; i++) {
                        f[i][k] += learningRate * t.predictValue(x[i]);
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
            for (int k = 0; k < raw.length; k++) {
                p[k] = Math.exp(raw[k] - mx);
                s += p[k];
            }
            for (int k = 0; k < raw.length; k++) {
                p[k] /= s;
            }
            return p;
        }

        private double[] raw(double[] x) {
            double[] f = init.clone();
            for (DecisionTree[] round : trees) {
                for (int k = 0; k < round.length; k++) {
                    f[k] += learningRate * round[k].predictValue(x);
                }
            }
            return f;
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
            return true;
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
    }

    /** {@code ada_boost}: SAMME over decision stumps (classification) / AdaBoost.R2 over depth-3 trees (regression). */
    public static final class AdaBoost implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        private final int nEstimators;
        private final double learningRate;
        private final String loss;
        private final long seed;
        private DecisionTree[] trees;
        private double[] weights;
        private int used;
        private int numClasses;

        /** A stored model: only what prediction reads (a loaded model only predicts). */
        private AdaBoost(StateReader in) {
            nEstimators = 0;
            learningRate = 1;
            loss = "linear";
            seed = 0;
            numClasses = in.getInt("num_classes");
            trees = readTrees(in, "trees");
            weights = in.doubles("weights");
            used = trees.length;
            if (weights.length != used) {
                throw new TabularException("the stored ada_boost model has " + weights.length + " weights for " + used + " trees",
                        "the stored bytes are damaged; retrain the project");
            }
        }

        @Override
        public String storedType() {
            return "ada_boost";
        }

        /**
         * Fields: {@code num_classes} (classes, 0 for regression); {@code trees} (the {@link DecisionTree#writeState}
         * maps of the boosting rounds kept: classification stumps, or regression trees); {@code weights} (per
         * tree, its weight in the vote: SAMME's weighted class vote, or AdaBoost.R2's weighted median).
         */
        @Override
        public void writeState(StateWriter out) {
            out.put("num_classes", numClasses);
            writeTrees(out, "trees", Arrays.copyOf(trees, used));
            out.put("weights", Arrays.copyOf(weights, used));
        }

        public AdaBoost(Params p, boolean classification) {
            nEstimators = p.integer("n_estimators", 50);
            learningRate = p.dbl("learning_rate", 1.0);
            loss = classification ? "linear" : p.str("loss", "linear", "linear", "square", "exponential");
            seed = p.seed(0);
            p.str("algorithm", "samme", "samme", "samme.r");
            p.mark("estimator", "base_estimator");
        }

        @Override
        public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
            this.numClasses = numClasses;
            int n = x.length;
            double[] w = new double[n];
            Arrays.fill(w, 1.0 / n);
            trees = new DecisionTree[nEstimators];
            weights = new double[nEstimators];
            DecisionTree.Settings s = new DecisionTree.Settings();
            s.maxDepth = 1;
            int[] all = LinearModels.sample(n, n, new SplittableRandom(0));
            Arrays.sort(all);
            SplittableRandom rnd = new SplittableRandom(seed);
            used = 0;
            for (int m = 0; m < nEstimators; m++) {
                ctx.step("fit", "boosting round", m + 1, nEstimators);
                DecisionTree t = DecisionTree.classification(x, y, numClasses, w, all, s, rnd.nextLong());
                double err = 0;
                boolean[] wrong = new boolean[n];
                for (int i = 0; i < n; i++) {
                    wrong[i] = Estimator.argmax(new double[][]{t.predict(x[i])})[0] != y[i];
                    if (wrong[i]) {
                        err += w[i];
                    }
                }
                trees[m] = t;
                used = m + 1;
                if (err <= 0) {
                    weights[m] = 1;
                    break;
                }
                if (err >= 1 - 1.0 / numClasses) {
                    if (m == 0) {
                        weights[m] = 1;
                    } else {
                        used = m;
                    }
                    break;
                }
                double alpha = learningRate * (Math.log((1 - err) / err) + Math.log(numClasses - 1.0));
                weights[m] = alpha;
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    if (wrong[i]) {
                        w[i] *= Math.exp(alpha);
                    }
                    sum += w[i];
                }
                for (int i = 0; i < n; i++) {
                    w[i] /= sum;
                }
            }
        }

        @Override
        public boolean supportsProba() {
            return numClasses > 0;
        }

        @Override
        public double[][] predictProba(double[][] x) {
            double[][] out = new double[x.length][numClasses];
            double total = 0;
            for (int m = 0; m < used; m++) {
                total += weights[m];
            }
            for (int i = 0; i < x.length; i++) {
                double[] dec = new double[numClasses];
                for (int m = 0; m < used; m++) {
                    int k = Estimator.argmax(new double[][]{trees[m].predict(x[i])})[0];
                    for (int c = 0; c < numClasses; c++) {
                        dec[c] += weights[m] * (c == k ? 1 : -1.0 / (numClasses - 1));
                    }
                }
                double mx = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < numClasses; c++) {
                    dec[c] = dec[c] / Math.max(total, 1e-300) / Math.max(1, numClasses - 1);
                    mx = Math.max(mx, dec[c]);
                }
                double s = 0;
                for (int c = 0; c < numClasses; c++) {
                    out[i][c] = Math.exp(dec[c] - mx);
                    s += out[i][c];
                }
                for (int c = 0; c < numClasses; c++) {
                    out[i][c] /= s;
                }
            }
            return out;
        }

        @Override
        public int[] predictClasses(double[][] x) {
            return Estimator.argmax(predictProba(x));
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            int n = x.length;
            double[] w = new double[n];
            Arrays.fill(w, 1.0 / n);
            trees = new DecisionTree[nEstimators];
            weights = new double[nEstimators];
            DecisionTree.Settings s = new DecisionTree.Settings();
            s.maxDepth = 3;
            SplittableRandom rnd = new SplittableRandom(seed);
            used = 0;
            for (int m = 0; m < nEstimators; m++) {
                ctx.step("fit", "boosting round", m + 1, nEstimators);
                // weighted bootstrap
                double[] cdf = new double[n];
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    acc += w[i];
                    cdf[i] = acc;
                }
                int[] rows = new int[n];
                for (int i = 0; i < n; i++) {
                    double u = rnd.nextDouble() * acc;
                    int pos = Arrays.binarySearch(cdf, u);
                    rows[i] = Math.min(n - 1, pos >= 0 ? pos : -pos - 1);
                }
                DecisionTree t = DecisionTree.regression(x, y, null, rows, s, rnd.nextLong());
                double[] err = new double[n];
                double maxErr = 0;
                for (int i = 0; i < n; i++) {
                    err[i] = Math.abs(t.predictValue(x[i]) - y[i]);
                    maxErr = Math.max(maxErr, err[i]);
                }
                trees[m] = t;
                used = m + 1;
                if (maxErr == 0) {
                    weights[m] = 1;
                    break;
                }
                double avg = 0;
                for (int i = 0; i < n; i++) {
                    double e = err[i] / maxErr;
                    e = switch (loss) {
                        case "square" -> e * e;
                        case "exponential" -> 1 - Math.exp(-e);
                        default -> e;
                    };
                    err[i] = e;
                    avg += w[i] * e;
                }
                if (avg >= 0.5) {
                    if (m > 0) {
                        used = m;
                    } else {
                        weights[m] = 1;
                    }
                    break;
                }
                double beta = avg / (1 - avg);
                weights[m] = learningRate * Math.log(1 / beta);
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    w[i] *= Math.pow(beta, (1 - err[i]) * learningRate);
                    sum += w[i];
                }
                for (int i = 0; i < n; i++) {
                    w[i] /= sum;
                }
            }
        }

        @Override
        public double[] predictValues(double[][] x) {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double[][] pw = new double[used][2];
                double total = 0;
                for (int m = 0; m < used; m++) {
                    pw[m][0] = trees[m].predictValue(x[i]);
                    pw[m][1] = weights[m];
                    total += weights[m];
                }
                Arrays.sort(pw, (a, b) -> Double.compare(a[0], b[0]));
                double acc = 0;
                out[i] = pw[used - 1][0];
                for (int m = 0; m < used; m++) {
                    acc += pw[m][1];
                    if (acc >= 0.5 * total) {
                        out[i] = pw[m][0];
                        break;
                    }
                }
            }
            return out;
        }
    }
}
