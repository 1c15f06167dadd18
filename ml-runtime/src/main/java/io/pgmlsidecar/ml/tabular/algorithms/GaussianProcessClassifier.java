package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;
import java.io.Serializable;

/**
 * {@code gaussian_process} classification (written here, after scikit-learn's
 * GaussianProcessClassifier): Laplace approximation of the binary GP posterior (Rasmussen &amp; Williams,
 * algorithms 3.1/3.2), kernel constant × RBF whose two hyperparameters maximise the approximate log
 * marginal likelihood over a log grid searched on a sample of the rows, one-vs-rest for more than two
 * classes (probabilities normalised). Predictive probabilities use the probit approximation
 * σ(μ / √(1 + πv/8)). O(n³): refused above 5,000 training rows. (scikit-learn's default kernel,
 * 1.0 × RBF(1.0), is fixed, so it searches nothing: on unscaled features such as digits' 0–16 pixels
 * its kernel is nearly the identity and it scores near chance; the search here is what makes the
 * default useful.) (PostgresML's own gaussian_process classification fails:
 * it is wired to a key missing from its algorithm map.)
 */
public final class GaussianProcessClassifier implements Estimator {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add("gaussian_process_classifier", 1, GaussianProcessClassifier::new);
    }

    @Serial
    private static final long serialVersionUID = 1L;

    private final Double lengthScale;
    private final int maxIterPredict;
    private Binary[] models;
    private double[][] xTrain;
    private int numClasses;

    public GaussianProcessClassifier(Params p) {
        lengthScale = p.has("length_scale") ? p.dbl("length_scale", 1.0) : null;
        maxIterPredict = p.integer("max_iter_predict", 100);
        p.str("multi_class", "one_vs_rest", "one_vs_rest");
        p.mark("optimizer", "n_restarts_optimizer", "warm_start", "copy_X_train", "kernel");
        if (p.has("kernel")) {
            throw new TabularException("gaussian_process: only the default kernel (constant × RBF) is supported; set length_scale to fix it");
        }
    }

    /** A stored model, for prediction only (length_scale and max_iter_predict matter only to fitting). */
    private GaussianProcessClassifier(StateReader in) {
        lengthScale = null;
        maxIterPredict = 0;
        numClasses = in.getInt("num_classes");
        xTrain = in.matrix("x_train");
        int n = xTrain.length;
        models = in.list("binary", b -> {
            Binary m = new Binary();
            m.amp = b.getDouble("amplitude");
            m.ell = b.getDouble("length_scale");
            m.yMinusPi = b.doubles("y_minus_pi");
            m.sqrtW = b.doubles("sqrt_w");
            // kept as stored, lower triangle only: probability() reads l[i][j] for j ≤ i
            m.l = b.matrix("cholesky_lower");
            boolean ok = m.yMinusPi.length == n && m.sqrtW.length == n && m.l.length == n;
            for (int i = 0; ok && i < n; i++) {
                ok = m.l[i].length == i + 1;
            }
            if (!ok) {
                throw new TabularException("the stored gaussian_process_classifier's binary model does not match its "
                        + n + " training rows", "the stored bytes are damaged; retrain the project");
            }
            return m;
        }).toArray(Binary[]::new);
        if (models.length != (numClasses == 2 ? 1 : numClasses)) {
            throw new TabularException("the stored gaussian_process_classifier has " + models.length + " binary models for "
                    + numClasses + " classes", "the stored bytes are damaged; retrain the project");
        }
    }

    @Override
    public String storedType() {
        return "gaussian_process_classifier";
    }

    @Override
    public int storedVersion() {
        return 1;
    }

    /**
     * {@code num_classes}: number of classes k; {@code x_train}: the training rows; {@code binary}: the
     * Laplace-approximated binary GPs (1, class 1 vs 0, when k = 2; else k, class i vs rest), each with
     * {@code amplitude} and {@code length_scale} of its kernel amplitude · exp(−|a − b|² / (2 · length_scale²)),
     * {@code y_minus_pi}: y − π at the posterior mode per training row, {@code sqrt_w}: √W per training row,
     * {@code cholesky_lower}: the lower triangle of the Cholesky factor L of B = I + √W K √W (row i holds
     * L[i][0..i]).
     */
    @Override
    public void writeState(StateWriter out) {
        out.put("num_classes", numClasses).put("x_train", xTrain);
        out.putList("binary", models, (w, m) -> {
            double[][] lower = new double[m.l.length][];
            for (int i = 0; i < lower.length; i++) {
                lower[i] = java.util.Arrays.copyOf(m.l[i], i + 1);
            }
            w.put("amplitude", m.amp).put("length_scale", m.ell).put("y_minus_pi", m.yMinusPi)
                    .put("sqrt_w", m.sqrtW).put("cholesky_lower", lower);
        });
    }

    /** One binary Laplace-approximated GP. */
    static final class Binary implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        double amp;
        double ell;
        double[] yMinusPi; // y − π at the mode
        double[][] l;      // Cholesky of B = I + √W K √W
        double[] sqrtW;
    }

    /** Rows of the hyperparameter search: its Laplace fits are O(rows³) per grid point and class. */
    static final int SEARCH_ROWS = 300;

    /** Squared distances between the given rows of x, row-major. */
    private static double[] sqDistances(double[][] x, int[] rows) {
        int m = rows.length;
        double[] d = new double[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < i; j++) {
                d[i * m + j] = d[j * m + i] = Linalg.sqDist(x[rows[i]], x[rows[j]]);
            }
        }
        return d;
    }

    /**
     * At most SEARCH_ROWS row indices, each class keeping its share (at least one row), drawn with a
     * fixed seed; every row when there are no more than that.
     */
    static int[] searchRows(int[] y, int numClasses) {
        int n = y.length;
        if (n <= SEARCH_ROWS) {
            return java.util.stream.IntStream.range(0, n).toArray();
        }
        java.util.List<java.util.List<Integer>> byClass = new java.util.ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            byClass.add(new java.util.ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            byClass.get(y[i]).add(i);
        }
        java.util.Random rnd = new java.util.Random(0);
        java.util.List<Integer> picked = new java.util.ArrayList<>();
        for (java.util.List<Integer> rows : byClass) {
            java.util.Collections.shuffle(rows, rnd);
            int take = Math.min(rows.size(), Math.max(1, (int) Math.round((double) SEARCH_ROWS * rows.size() / n)));
            picked.addAll(rows.subList(0, take));
        }
        return picked.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** The (amplitude, length scale) pairs tried: a log grid, coarser for more rows. */
    private java.util.List<double[]> grid(int n) {
        java.util.List<double[]> out = new java.util.ArrayList<>();
        int step = n > 1000 ? 4 : n > 300 ? 2 : 1;
        for (int ai = -2; ai <= 8; ai += step * 2) {
            double amp = Math.pow(10, ai / 2.0);
            if (lengthScale != null) {
                out.add(new double[]{amp, lengthScale});
                continue;
            }
            for (int li = -4; li <= 8; li += step) {
                out.add(new double[]{amp, Math.pow(10, li / 4.0)});
            }
        }
        return out;
    }

    /** The rows not in the (sorted) sample. */
    private static int[] heldOut(int n, int[] sample) {
        boolean[] in = new boolean[n];
        for (int i : sample) {
            in[i] = true;
        }
        return java.util.stream.IntStream.range(0, n).filter(i -> !in[i]).toArray();
    }

    /**
     * How well a model fitted on the sample predicts the rows held out of it: Σ log σ(±f*) with the
     * predictive mean f* = k*ᵀ(y − π). This, not the sample's marginal likelihood, picks the
     * hyperparameters: it judges the sample's model on rows it has not seen, as the choice will be
     * judged (breast_cancer: f1 0.954 against 0.948 by the likelihood on all rows).
     */
    private static double heldOutLogLikelihood(double[] yMinusPi, double[][] kHeldOut, int[] rows, double[] t) {
        double sum = 0;
        for (int i = 0; i < rows.length; i++) {
            double f = Linalg.dot(kHeldOut[i], yMinusPi);
            double z = t[rows[i]] == 1 ? f : -f;
            sum += -Math.log1p(Math.exp(-Math.abs(z))) - Math.max(-z, 0);
        }
        return sum;
    }

    /**
     * One-vs-rest like scikit-learn's. The kernel's two hyperparameters are chosen per class on a
     * class-stratified sample of at most SEARCH_ROWS rows (each grid point's kernel matrix shared by every
     * class), by how well the sample's model predicts the other rows (by the sample's likelihood when there
     * are no others); then each class's mode is found on all rows, starting from the sample's mode. Digits:
     * the same hyperparameters and accuracy (0.980) as the search on all rows, ~10× faster (decision 23).
     */
    @Override
    public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
        KernelModels.checkSize("gaussian_process", x.length);
        this.numClasses = numClasses;
        this.xTrain = x;
        int n = x.length;
        int problems = numClasses == 2 ? 1 : numClasses;
        double[][] targets = new double[problems][n];
        for (int c = 0; c < problems; c++) {
            int positive = numClasses == 2 ? 1 : c;
            for (int i = 0; i < n; i++) {
                targets[c][i] = y[i] == positive ? 1 : 0;
            }
        }
        int[] sample = searchRows(y, numClasses);
        int m = sample.length;
        double[] sampleDist = sqDistances(x, sample);
        int[] heldOut = heldOut(n, sample);
        // squared distances from each held-out row to each sample row
        double[][] heldOutDist = new double[heldOut.length][m];
        for (int i = 0; i < heldOut.length; i++) {
            for (int j = 0; j < m; j++) {
                heldOutDist[i][j] = Linalg.sqDist(x[heldOut[i]], x[sample[j]]);
            }
        }
        java.util.List<double[]> grid = grid(n);
        double[] bestScore = new double[problems];
        java.util.Arrays.fill(bestScore, Double.NEGATIVE_INFINITY);
        double[][] bestParams = new double[problems][];
        Binary[] bestSampleFit = new Binary[problems];
        for (int g = 0; g < grid.size(); g++) {
            ctx.step("fit", "gaussian process hyperparameter search", g + 1, grid.size());
            double amp = grid.get(g)[0];
            double ell = grid.get(g)[1];
            double[] k = LaplaceMode.kernel(sampleDist, amp, ell);
            double[][] kHeldOut = new double[heldOut.length][];
            for (int i = 0; i < heldOut.length; i++) {
                kHeldOut[i] = LaplaceMode.kernel(heldOutDist[i], amp, ell);
            }
            for (int c = 0; c < problems; c++) {
                double[] t = new double[m];
                for (int i = 0; i < m; i++) {
                    t[i] = targets[c][sample[i]];
                }
                Binary b = new Binary();
                double lml = LaplaceMode.fit(k, m, t, null, maxIterPredict, ctx, b);
                if (lml == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                double score = heldOut.length == 0 ? lml : heldOutLogLikelihood(b.yMinusPi, kHeldOut, heldOut, targets[c]);
                if (score > bestScore[c]) {
                    bestScore[c] = score;
                    bestParams[c] = grid.get(g);
                    bestSampleFit[c] = b;
                }
            }
        }
        models = new Binary[problems];
        double[] fullDist = m == n ? sampleDist : sqDistances(x, java.util.stream.IntStream.range(0, n).toArray());
        for (int c = 0; c < problems; c++) {
            if (bestParams[c] == null) {
                throw new TabularException("gaussian_process: the kernel matrix is singular for every length scale tried");
            }
            ctx.step("fit", "gaussian process class", c + 1, problems);
            double amp = bestParams[c][0];
            double ell = bestParams[c][1];
            Binary b = new Binary();
            b.amp = amp;
            b.ell = ell;
            if (m == n) {
                b.l = bestSampleFit[c].l;
                b.sqrtW = bestSampleFit[c].sqrtW;
                b.yMinusPi = bestSampleFit[c].yMinusPi;
            } else {
                // start from the sample's mode (its a = y − π on the sample's rows, 0 elsewhere): f = K a is then
                // the sample's predictive mean at every row, and Newton needs a few steps, not a dozen
                double[] a0 = new double[n];
                for (int j = 0; j < m; j++) {
                    a0[sample[j]] = bestSampleFit[c].yMinusPi[j];
                }
                double lml = LaplaceMode.fit(LaplaceMode.kernel(fullDist, amp, ell), n, targets[c],
                        a0, maxIterPredict, ctx, b);
                if (lml == Double.NEGATIVE_INFINITY) {
                    throw new TabularException("gaussian_process: the kernel matrix of all " + n + " rows is singular at length scale " + ell,
                            "set length_scale, or train on fewer rows");
                }
            }
            models[c] = b;
        }
    }

    /** Rows whose predictive variances are solved together: L is read once per block, not once per row. */
    private static final int PREDICT_BLOCK = 128;

    /**
     * P(class) of rows from..to-1 under one binary model: the probit approximation with the predictive
     * variance amplitude − |v|², v = L \ (√W k*). The forward substitution runs for a block of rows at
     * once, with each row's arithmetic in the same order as for a single row (so the same answers).
     */
    private double[] probabilities(Binary b, double[][] x, int from, int to) {
        int n = xTrain.length;
        int r = to - from;
        double[] mean = new double[r];
        double[][] v = new double[n][r]; // v[i][row]: filled with √W k*, then solved in place
        double[] ks = new double[n];
        for (int q = 0; q < r; q++) {
            for (int i = 0; i < n; i++) {
                ks[i] = b.amp * Math.exp(-Linalg.sqDist(x[from + q], xTrain[i]) / (2 * b.ell * b.ell));
            }
            mean[q] = Linalg.dot(ks, b.yMinusPi);
            for (int i = 0; i < n; i++) {
                v[i][q] = b.sqrtW[i] * ks[i];
            }
        }
        double[] vv = new double[r];
        for (int i = 0; i < n; i++) {
            double[] vi = v[i];
            double[] li = b.l[i];
            for (int j = 0; j < i; j++) {
                double c = li[j];
                double[] vj = v[j];
                for (int q = 0; q < r; q++) {
                    vi[q] -= c * vj[q];
                }
            }
            double d = li[i];
            for (int q = 0; q < r; q++) {
                vi[q] /= d;
                vv[q] += vi[q] * vi[q];
            }
        }
        double[] p = new double[r];
        for (int q = 0; q < r; q++) {
            double var = Math.max(b.amp - vv[q], 0);
            p[q] = LaplaceMode.sigmoid(mean[q] / Math.sqrt(1 + Math.PI * var / 8));
        }
        return p;
    }

    @Override
    public boolean supportsProba() {
        return true;
    }

    @Override
    public double[][] predictProba(double[][] x) {
        double[][] out = new double[x.length][numClasses];
        for (int from = 0; from < x.length; from += PREDICT_BLOCK) {
            int to = Math.min(x.length, from + PREDICT_BLOCK);
            if (numClasses == 2) {
                double[] p = probabilities(models[0], x, from, to);
                for (int i = from; i < to; i++) {
                    out[i][0] = 1 - p[i - from];
                    out[i][1] = p[i - from];
                }
                continue;
            }
            for (int c = 0; c < numClasses; c++) {
                double[] p = probabilities(models[c], x, from, to);
                for (int i = from; i < to; i++) {
                    out[i][c] = p[i - from];
                }
            }
            for (int i = from; i < to; i++) {
                double s = 0;
                for (int c = 0; c < numClasses; c++) {
                    s += out[i][c];
                }
                for (int c = 0; c < numClasses; c++) {
                    out[i][c] = s == 0 ? 1.0 / numClasses : out[i][c] / s;
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
