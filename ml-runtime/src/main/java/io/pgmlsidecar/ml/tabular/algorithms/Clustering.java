package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Clustering written here with scikit-learn's defaults: {@code kmeans} (Lloyd, k-means++),
 * {@code mini_batch_kmeans}, {@code dbscan}, {@code mean_shift} (flat kernel, estimated bandwidth),
 * {@code affinity_propagation}. {@code predict} assigns new rows: nearest centre / exemplar; DBSCAN:
 * the cluster of the nearest core sample within eps, else -1 (noise).
 */
public final class Clustering {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add(Centroids.STORED_TYPE, 1, NearestCentroid::read);
        formats.add(Dbscan.STORED_TYPE, 1, Dbscan::read);
        formats.add(Pca.STORED_TYPE, 1, Pca::read);
    }

    /** A stored state's rows of numbers: present, non-empty where asked, all of one width. */
    static double[][] storedRows(StateReader in, String field, boolean nonEmpty) {
        double[][] rows = in.matrix(field);
        if (rows == null || (nonEmpty && rows.length == 0)) {
            throw new TabularException("the stored model's field \"" + field + "\" of " + in + " is empty",
                    "the stored bytes are damaged or were written by an incompatible build; retrain the project");
        }
        for (double[] r : rows) {
            if (r.length != rows[0].length) {
                throw new TabularException("the stored model's field \"" + field + "\" of " + in + " has rows of different widths",
                        "the stored bytes are damaged or were written by an incompatible build; retrain the project");
            }
        }
        return rows;
    }

    /** A stored state's labels, one per row of {@code rows}. */
    static int[] storedLabels(StateReader in, String field, int rows) {
        int[] labels = in.ints(field);
        if (labels == null || labels.length != rows) {
            throw new TabularException("the stored model's field \"" + field + "\" of " + in + " does not have one label per row",
                    "the stored bytes are damaged or were written by an incompatible build; retrain the project");
        }
        return labels;
    }

    private Clustering() {
    }

    /**
     * Base for models that assign to the nearest centre. kmeans, mini_batch_kmeans, mean_shift and
     * affinity_propagation all predict by this one rule and share its stored type; a stored one is read
     * back as a {@link NearestCentroid}.
     */
    abstract static class Centroids implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        static final String STORED_TYPE = "nearest_centroid";
        double[][] centers;

        @Override
        public String storedType() {
            return STORED_TYPE;
        }

        /**
         * Stored type {@code nearest_centroid}, version 1. Fields:
         * <ul>
         * <li>{@code centers}: the cluster centres, one row of feature values per cluster, in label order; a
         * row is labelled with the index of its nearest centre (squared Euclidean distance, the first of
         * equally near centres)</li>
         * </ul>
         */
        @Override
        public void writeState(StateWriter out) {
            out.put("centers", centers);
        }

        @Override
        public int[] predictClasses(double[][] x) {
            int[] out = new int[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = nearest(x[i], centers);
            }
            return out;
        }

        public double[][] centers() {
            return centers;
        }
    }

    /** A centroid clusterer read from a stored model: predicts only (fitting it is refused). */
    static final class NearestCentroid extends Centroids {
        @Serial
        private static final long serialVersionUID = 1L;

        private NearestCentroid(double[][] centers) {
            this.centers = centers;
        }

        static NearestCentroid read(StateReader in) {
            return new NearestCentroid(storedRows(in, "centers", true));
        }
    }

    static int nearest(double[] x, double[][] centers) {
        int best = 0;
        double bd = Double.POSITIVE_INFINITY;
        for (int k = 0; k < centers.length; k++) {
            double d = Linalg.sqDist(x, centers[k]);
            if (d < bd) {
                bd = d;
                best = k;
            }
        }
        return best;
    }

    static double[][] kmeansPlusPlus(double[][] x, int k, SplittableRandom rnd) {
        int n = x.length;
        double[][] c = new double[k][];
        c[0] = x[rnd.nextInt(n)].clone();
        double[] d2 = new double[n];
        for (int i = 0; i < n; i++) {
            d2[i] = Linalg.sqDist(x[i], c[0]);
        }
        int trials = 2 + (int) Math.log(k);
        for (int j = 1; j < k; j++) {
            double sum = Arrays.stream(d2).sum();
            int bestCand = -1;
            double bestPot = Double.POSITIVE_INFINITY;
            for (int t = 0; t < trials; t++) {
                int cand;
                if (sum <= 0) {
                    cand = rnd.nextInt(n);
                } else {
                    double u = rnd.nextDouble() * sum;
                    cand = 0;
                    double acc = d2[0];
                    while (acc < u && cand < n - 1) {
                        cand++;
                        acc += d2[cand];
                    }
                }
                double pot = 0;
                for (int i = 0; i < n; i++) {
                    pot += Math.min(d2[i], Linalg.sqDist(x[i], x[cand]));
                }
                if (pot < bestPot) {
                    bestPot = pot;
                    bestCand = cand;
                }
            }
            c[j] = x[bestCand].clone();
            for (int i = 0; i < n; i++) {
                d2[i] = Math.min(d2[i], Linalg.sqDist(x[i], c[j]));
            }
        }
        return c;
    }

    static void checkClusters(int k, int n, String name) {
        if (k < 1) {
            throw new TabularException(name + ": n_clusters must be ≥ 1");
        }
        if (n < k) {
            throw new TabularException(name + ": " + n + " training rows are fewer than n_clusters = " + k,
                    "lower n_clusters, e.g. hyperparams => '{\"n_clusters\": 2}'");
        }
    }

    public static final class KMeans extends Centroids {
        @Serial
        private static final long serialVersionUID = 1L;
        private final int k;
        private final int maxIter;
        private final double tol;
        private final int nInit;
        private final long seed;
        private final boolean randomInit;

        public KMeans(Params p) {
            k = p.integer("n_clusters", 8);
            maxIter = p.integer("max_iter", 300);
            tol = p.dbl("tol", 1e-4);
            Object ni = p.any("n_init", "auto");
            randomInit = "random".equals(p.str("init", "k-means++", "k-means++", "random"));
            nInit = ni instanceof Number num ? num.intValue() : (randomInit ? 10 : 1);
            seed = p.seed(0);
            p.mark("algorithm", "copy_x");
        }

        @Override
        public void fitUnsupervised(double[][] x, FitContext ctx) {
            int n = x.length;
            checkClusters(k, n, "kmeans");
            int d = x[0].length;
            double[] var = new double[d];
            double[] mean = Linalg.columnMeans(x);
            for (double[] r : x) {
                for (int j = 0; j < d; j++) {
                    var[j] += (r[j] - mean[j]) * (r[j] - mean[j]) / n;
                }
            }
            double tolAbs = tol * Arrays.stream(var).average().orElse(0);
            SplittableRandom rnd = new SplittableRandom(seed);
            double bestInertia = Double.POSITIVE_INFINITY;
            for (int run = 0; run < Math.max(1, nInit); run++) {
                double[][] c;
                if (randomInit) {
                    int[] idx = LinearModels.sample(n, k, rnd);
                    c = new double[k][];
                    for (int j = 0; j < k; j++) {
                        c[j] = x[idx[j]].clone();
                    }
                } else {
                    c = kmeansPlusPlus(x, k, rnd);
                }
                int[] assign = new int[n];
                for (int it = 0; it < maxIter; it++) {
                    ctx.step("fit", "kmeans iteration", it + 1, maxIter);
                    for (int i = 0; i < n; i++) {
                        assign[i] = nearest(x[i], c);
                    }
                    double[][] nc = new double[k][d];
                    int[] cnt = new int[k];
                    for (int i = 0; i < n; i++) {
                        cnt[assign[i]]++;
                        for (int j = 0; j < d; j++) {
                            nc[assign[i]][j] += x[i][j];
                        }
                    }
                    double shift = 0;
                    for (int j = 0; j < k; j++) {
                        if (cnt[j] == 0) {
                            // empty cluster: move to the point farthest from its centre
                            int far = 0;
                            double fd = -1;
                            for (int i = 0; i < n; i++) {
                                double dd = Linalg.sqDist(x[i], c[assign[i]]);
                                if (dd > fd) {
                                    fd = dd;
                                    far = i;
                                }
                            }
                            nc[j] = x[far].clone();
                        } else {
                            for (int q = 0; q < d; q++) {
                                nc[j][q] /= cnt[j];
                            }
                        }
                        shift += Linalg.sqDist(nc[j], c[j]);
                    }
                    c = nc;
                    if (shift <= tolAbs) {
                        break;
                    }
                }
                double inertia = 0;
                for (int i = 0; i < n; i++) {
                    inertia += Linalg.sqDist(x[i], c[nearest(x[i], c)]);
                }
                if (inertia < bestInertia) {
                    bestInertia = inertia;
                    centers = c;
                }
            }
        }
    }

    public static final class MiniBatchKMeans extends Centroids {
        @Serial
        private static final long serialVersionUID = 1L;
        private final int k;
        private final int batchSize;
        private final int maxIter;
        private final long seed;

        public MiniBatchKMeans(Params p) {
            k = p.integer("n_clusters", 8);
            batchSize = p.integer("batch_size", 1024);
            maxIter = p.integer("max_iter", 100);
            seed = p.seed(0);
            p.mark("init", "n_init", "tol", "max_no_improvement", "init_size", "reassignment_ratio", "compute_labels");
        }

        @Override
        public void fitUnsupervised(double[][] x, FitContext ctx) {
            int n = x.length;
            checkClusters(k, n, "mini_batch_kmeans");
            SplittableRandom rnd = new SplittableRandom(seed);
            int initSize = Math.min(n, Math.max(3 * batchSize, 3 * k));
            int[] initIdx = LinearModels.sample(n, initSize, rnd);
            double[][] initX = new double[initSize][];
            for (int i = 0; i < initSize; i++) {
                initX[i] = x[initIdx[i]];
            }
            double[][] c = kmeansPlusPlus(initX, k, rnd);
            long[] counts = new long[k];
            int b = Math.min(batchSize, n);
            long steps = Math.max(1, (long) maxIter * n / b);
            for (long s = 0; s < steps; s++) {
                if (s % 16 == 0) {
                    ctx.step("fit", "mini-batch step", s + 1, steps);
                }
                for (int q = 0; q < b; q++) {
                    double[] xi = x[rnd.nextInt(n)];
                    int j = nearest(xi, c);
                    counts[j]++;
                    double eta = 1.0 / counts[j];
                    for (int t = 0; t < xi.length; t++) {
                        c[j][t] += eta * (xi[t] - c[j][t]);
                    }
                }
            }
            centers = c;
        }
    }

    public static final class Dbscan implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        static final String STORED_TYPE = "nearest_core_sample";
        private final double eps;
        private final int minSamples;
        private double[][] cores;
        private int[] coreLabels;

        public Dbscan(Params p) {
            eps = p.dbl("eps", 0.5);
            minSamples = p.integer("min_samples", 5);
            p.mark("metric", "algorithm", "leaf_size", "p", "metric_params");
            if (p.has("metric") && !"euclidean".equals(String.valueOf(p.raw().get("metric")))) {
                throw new TabularException("dbscan: only metric euclidean is supported");
            }
        }

        /** A stored model's: min_samples only matters to fitting. */
        private Dbscan(double eps, double[][] cores, int[] coreLabels) {
            this.eps = eps;
            this.minSamples = 0;
            this.cores = cores;
            this.coreLabels = coreLabels;
        }

        static Dbscan read(StateReader in) {
            double[][] cores = storedRows(in, "core_samples", false);
            return new Dbscan(in.getDouble("eps"), cores, storedLabels(in, "core_labels", cores.length));
        }

        @Override
        public String storedType() {
            return STORED_TYPE;
        }

        /**
         * Stored type {@code nearest_core_sample}, version 1. A row gets the label of the nearest core sample
         * within {@code eps} (Euclidean; of equally near ones the last), else -1 (noise). Fields:
         * <ul>
         * <li>{@code eps}: the neighbourhood radius</li>
         * <li>{@code core_samples}: the training rows that are core samples, one row of feature values each
         * (may be empty: then every row is noise)</li>
         * <li>{@code core_labels}: the cluster label (0..k-1) of each core sample, in {@code core_samples} order</li>
         * </ul>
         */
        @Override
        public void writeState(StateWriter out) {
            out.put("eps", eps).put("core_samples", cores).put("core_labels", coreLabels);
        }

        @Override
        public void fitUnsupervised(double[][] x, FitContext ctx) {
            int n = x.length;
            if (n > 20000) {
                throw new TabularException("dbscan here is O(n²); " + n + " rows is over its limit of 20000", "train on a sample");
            }
            double e2 = eps * eps;
            List<int[]> neigh = new ArrayList<>(n);
            boolean[] core = new boolean[n];
            for (int i = 0; i < n; i++) {
                if (i % 512 == 0) {
                    ctx.checkCancelled();
                }
                List<Integer> l = new ArrayList<>();
                for (int j = 0; j < n; j++) {
                    if (Linalg.sqDist(x[i], x[j]) <= e2) {
                        l.add(j);
                    }
                }
                neigh.add(l.stream().mapToInt(Integer::intValue).toArray());
                core[i] = l.size() >= minSamples;
            }
            int[] label = new int[n];
            Arrays.fill(label, -1);
            int next = 0;
            for (int i = 0; i < n; i++) {
                if (!core[i] || label[i] >= 0) {
                    continue;
                }
                int c = next++;
                java.util.ArrayDeque<Integer> q = new java.util.ArrayDeque<>();
                q.add(i);
                label[i] = c;
                while (!q.isEmpty()) {
                    int u = q.poll();
                    if (!core[u]) {
                        continue;
                    }
                    for (int v : neigh.get(u)) {
                        if (label[v] < 0) {
                            label[v] = c;
                            q.add(v);
                        }
                    }
                }
            }
            List<double[]> cs = new ArrayList<>();
            List<Integer> cl = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (core[i]) {
                    cs.add(x[i]);
                    cl.add(label[i]);
                }
            }
            cores = cs.toArray(new double[0][]);
            coreLabels = cl.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public int[] predictClasses(double[][] x) {
            int[] out = new int[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = -1;
                double bd = eps * eps;
                for (int c = 0; c < cores.length; c++) {
                    double d = Linalg.sqDist(x[i], cores[c]);
                    if (d <= bd) {
                        bd = d;
                        out[i] = coreLabels[c];
                    }
                }
            }
            return out;
        }
    }

    public static final class MeanShift extends Centroids {
        @Serial
        private static final long serialVersionUID = 1L;
        private final Double bandwidthParam;
        private final int maxIter;
        private final long seed;

        public MeanShift(Params p) {
            bandwidthParam = p.has("bandwidth") ? p.dbl("bandwidth", 1) : null;
            maxIter = p.integer("max_iter", 300);
            seed = p.seed(0);
            p.mark("seeds", "bin_seeding", "min_bin_freq", "cluster_all");
        }

        @Override
        public void fitUnsupervised(double[][] x, FitContext ctx) {
            int n = x.length;
            SplittableRandom rnd = new SplittableRandom(seed);
            double bw;
            if (bandwidthParam != null) {
                bw = bandwidthParam;
            } else {
                int m = Math.min(n, 500);
                int[] sampleIdx = LinearModels.sample(n, m, rnd);
                int kth = Math.max(1, (int) (n * 0.3));
                double sum = 0;
                for (int a = 0; a < m; a++) {
                    double[] d = new double[n];
                    for (int j = 0; j < n; j++) {
                        d[j] = Linalg.sqDist(x[sampleIdx[a]], x[j]);
                    }
                    Arrays.sort(d);
                    sum += Math.sqrt(d[Math.min(n - 1, kth)]);
                }
                bw = sum / m;
            }
            if (!(bw > 0)) {
                bw = 1;
            }
            double bw2 = bw * bw;
            int seeds = Math.min(n, 1000);
            int[] seedIdx = LinearModels.sample(n, seeds, rnd);
            List<double[]> modes = new ArrayList<>();
            List<Integer> intensity = new ArrayList<>();
            for (int s = 0; s < seeds; s++) {
                if (s % 32 == 0) {
                    ctx.step("fit", "mean shift seed", s + 1, seeds);
                }
                double[] c = x[seedIdx[s]].clone();
                int inside = 0;
                for (int it = 0; it < maxIter; it++) {
                    double[] nc = new double[c.length];
                    inside = 0;
                    for (double[] xi : x) {
                        if (Linalg.sqDist(xi, c) <= bw2) {
                            inside++;
                            for (int j = 0; j < c.length; j++) {
                                nc[j] += xi[j];
                            }
                        }
                    }
                    if (inside == 0) {
                        break;
                    }
                    for (int j = 0; j < c.length; j++) {
                        nc[j] /= inside;
                    }
                    double shift = Linalg.sqDist(nc, c);
                    c = nc;
                    if (shift <= 1e-6 * bw2) {
                        break;
                    }
                }
                if (inside > 0) {
                    modes.add(c);
                    intensity.add(inside);
                }
            }
            Integer[] order = new Integer[modes.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Integer.compare(intensity.get(b), intensity.get(a)));
            List<double[]> kept = new ArrayList<>();
            for (int i : order) {
                boolean near = false;
                for (double[] k : kept) {
                    if (Linalg.sqDist(k, modes.get(i)) < bw2) {
                        near = true;
                        break;
                    }
                }
                if (!near) {
                    kept.add(modes.get(i));
                }
            }
            if (kept.isEmpty()) {
                kept.add(Linalg.columnMeans(x));
            }
            centers = kept.toArray(new double[0][]);
        }
    }

    public static final class AffinityPropagation extends Centroids {
        @Serial
        private static final long serialVersionUID = 1L;
        private final double damping;
        private final int maxIter;
        private final int convergenceIter;
        private final Double preference;

        public AffinityPropagation(Params p) {
            damping = p.dbl("damping", 0.5);
            maxIter = p.integer("max_iter", 200);
            convergenceIter = p.integer("convergence_iter", 15);
            preference = p.has("preference") ? p.dbl("preference", 0) : null;
            p.mark("affinity", "copy");
            if (damping < 0.5 || damping >= 1) {
                throw p.bad("damping", damping, "in [0.5, 1)");
            }
        }

        @Override
        public void fitUnsupervised(double[][] x, FitContext ctx) {
            int n = x.length;
            KernelModels.checkSize("affinity_propagation", n);
            double[][] s = new double[n][n];
            double[] all = new double[n * (n - 1)];
            int q = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    s[i][k] = -Linalg.sqDist(x[i], x[k]);
                    if (i != k) {
                        all[q++] = s[i][k];
                    }
                }
            }
            double pref;
            if (preference != null) {
                pref = preference;
            } else if (q == 0) {
                pref = 0;
            } else {
                Arrays.sort(all, 0, q);
                pref = q % 2 == 1 ? all[q / 2] : (all[q / 2 - 1] + all[q / 2]) / 2;
            }
            SplittableRandom rnd = new SplittableRandom(0);
            for (int i = 0; i < n; i++) {
                s[i][i] = pref;
                for (int k = 0; k < n; k++) {
                    s[i][k] += (1e-12 * Math.abs(s[i][k]) + 1e-300) * rnd.nextDouble(); // break ties, as scikit-learn does
                }
            }
            double[][] r = new double[n][n];
            double[][] a = new double[n][n];
            boolean[] prevEx = new boolean[n];
            int stable = 0;
            boolean converged = false;
            for (int it = 0; it < maxIter; it++) {
                ctx.step("fit", "affinity propagation iteration", it + 1, maxIter);
                for (int i = 0; i < n; i++) {
                    double m1 = Double.NEGATIVE_INFINITY;
                    double m2 = Double.NEGATIVE_INFINITY;
                    int arg = -1;
                    for (int k = 0; k < n; k++) {
                        double v = a[i][k] + s[i][k];
                        if (v > m1) {
                            m2 = m1;
                            m1 = v;
                            arg = k;
                        } else if (v > m2) {
                            m2 = v;
                        }
                    }
                    for (int k = 0; k < n; k++) {
                        double nr = s[i][k] - (k == arg ? m2 : m1);
                        r[i][k] = damping * r[i][k] + (1 - damping) * nr;
                    }
                }
                for (int k = 0; k < n; k++) {
                    double sum = 0;
                    for (int i = 0; i < n; i++) {
                        if (i != k) {
                            sum += Math.max(0, r[i][k]);
                        }
                    }
                    for (int i = 0; i < n; i++) {
                        double na = i == k ? sum : Math.min(0, r[k][k] + sum - Math.max(0, r[i][k]));
                        a[i][k] = damping * a[i][k] + (1 - damping) * na;
                    }
                }
                boolean[] ex = new boolean[n];
                boolean same = true;
                int count = 0;
                for (int k = 0; k < n; k++) {
                    ex[k] = a[k][k] + r[k][k] > 0;
                    same &= ex[k] == prevEx[k];
                    count += ex[k] ? 1 : 0;
                }
                stable = same ? stable + 1 : 0;
                prevEx = ex;
                if (stable >= convergenceIter && count > 0) {
                    converged = true;
                    break;
                }
            }
            if (!converged) {
                // scikit-learn then returns no clusters (labels -1) with a warning; an error is clearer
                throw new TabularException("affinity_propagation did not converge in " + maxIter + " iterations",
                        "raise damping (e.g. 0.9) or max_iter, or set a preference (more negative = fewer clusters)");
            }
            List<double[]> exemplars = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                if (prevEx[k]) {
                    exemplars.add(x[k].clone());
                }
            }
            if (exemplars.isEmpty()) {
                exemplars.add(Linalg.columnMeans(x));
            }
            centers = exemplars.toArray(new double[0][]);
        }
    }

    /** {@code pca}: principal components from the eigen-decomposition of the covariance matrix. */
    public static final class Pca implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        static final String STORED_TYPE = "principal_components";
        private final Object nComponents;
        private final boolean whiten;
        private double[] mean;
        private double[][] components; // [k][d]
        private double[] variance;
        private double[] ratio;

        public Pca(Params p) {
            nComponents = p.any("n_components", null);
            whiten = p.bool("whiten", false);
            p.mark("svd_solver", "tol", "iterated_power", "copy", "n_oversamples", "power_iteration_normalizer");
        }

        /** A stored model's: n_components only matters to fitting. */
        private Pca(boolean whiten, double[] mean, double[][] components, double[] variance, double[] ratio) {
            this.nComponents = null;
            this.whiten = whiten;
            this.mean = mean;
            this.components = components;
            this.variance = variance;
            this.ratio = ratio;
        }

        static Pca read(StateReader in) {
            double[] mean = in.doubles("mean");
            double[][] components = storedRows(in, "components", true);
            double[] variance = in.doubles("explained_variance");
            double[] ratio = in.doubles("explained_variance_ratio");
            if (mean == null || components[0].length != mean.length || variance == null || variance.length != components.length
                    || ratio == null || ratio.length != components.length) {
                throw new TabularException("the stored model's " + in + " has components, mean and variances of unequal sizes",
                        "the stored bytes are damaged or were written by an incompatible build; retrain the project");
            }
            return new Pca(in.getBoolean("whiten"), mean, components, variance, ratio);
        }

        @Override
        public String storedType() {
            return STORED_TYPE;
        }

        /**
         * Stored type {@code principal_components}, version 1. transform gives, per component c,
         * (x − mean)·components[c], divided by √explained_variance[c] when whiten. Fields:
         * <ul>
         * <li>{@code whiten}: whether transformed values are scaled to unit variance</li>
         * <li>{@code mean}: the training mean of each feature (d values)</li>
         * <li>{@code components}: the kept principal axes, k rows of d loadings, by decreasing variance</li>
         * <li>{@code explained_variance}: the variance along each component (k values)</li>
         * <li>{@code explained_variance_ratio}: each component's share of the total variance (k values)</li>
         * </ul>
         */
        @Override
        public void writeState(StateWriter out) {
            out.put("whiten", whiten).put("mean", mean).put("components", components)
                    .put("explained_variance", variance).put("explained_variance_ratio", ratio);
        }

        @Override
        public void fitUnsupervised(double[][] x, FitContext ctx) {
            int n = x.length;
            int d = x[0].length;
            if (n < 2) {
                throw new TabularException("pca needs at least 2 training rows");
            }
            if (d > 2000) {
                throw new TabularException("pca here supports up to 2000 features, got " + d);
            }
            mean = Linalg.columnMeans(x);
            double[][] xc = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    xc[i][j] = x[i][j] - mean[j];
                }
            }
            ctx.checkCancelled();
            double[][] cov = Linalg.gram(xc, null);
            for (double[] row : cov) {
                for (int j = 0; j < d; j++) {
                    row[j] /= (n - 1);
                }
            }
            Linalg.Eigen e = Linalg.symmetricEigen(cov);
            double total = 0;
            for (double v : e.values()) {
                total += Math.max(v, 0);
            }
            int maxK = Math.min(n, d);
            int k;
            if (nComponents == null) {
                k = maxK;
            } else if (nComponents instanceof Number num && num.doubleValue() > 0 && num.doubleValue() < 1) {
                double acc = 0;
                k = 0;
                while (k < maxK && acc < num.doubleValue() * total) {
                    acc += Math.max(e.values()[k], 0);
                    k++;
                }
                k = Math.max(1, k);
            } else if (nComponents instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
                k = num.intValue();
                if (k < 1 || k > maxK) {
                    throw new TabularException("pca: n_components must be between 1 and min(rows, features) = " + maxK + ", got " + k);
                }
            } else {
                throw new TabularException("pca: n_components must be an integer, a fraction in (0, 1), or null; got " + nComponents);
            }
            components = new double[k][d];
            variance = new double[k];
            ratio = new double[k];
            for (int c = 0; c < k; c++) {
                // sign convention: largest-magnitude loading positive (deterministic output)
                int arg = 0;
                for (int j = 1; j < d; j++) {
                    if (Math.abs(e.vectors()[j][c]) > Math.abs(e.vectors()[arg][c])) {
                        arg = j;
                    }
                }
                double sign = e.vectors()[arg][c] < 0 ? -1 : 1;
                for (int j = 0; j < d; j++) {
                    components[c][j] = sign * e.vectors()[j][c];
                }
                variance[c] = Math.max(e.values()[c], 0);
                ratio[c] = total == 0 ? 0 : variance[c] / total;
            }
        }

        @Override
        public double[][] transform(double[][] x) {
            double[][] out = new double[x.length][components.length];
            for (int i = 0; i < x.length; i++) {
                for (int c = 0; c < components.length; c++) {
                    double s = 0;
                    for (int j = 0; j < mean.length; j++) {
                        s += (x[i][j] - mean[j]) * components[c][j];
                    }
                    out[i][c] = whiten ? s / Math.sqrt(Math.max(variance[c], 1e-300)) : s;
                }
            }
            return out;
        }

        @Override
        public double[] explainedVarianceRatio() {
            return ratio.clone();
        }
    }
}
