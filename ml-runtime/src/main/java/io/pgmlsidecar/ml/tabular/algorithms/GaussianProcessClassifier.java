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
 * marginal likelihood over a log grid, one-vs-rest for more than two classes (probabilities
 * normalised). Predictive probabilities use the probit approximation σ(μ / √(1 + πv/8)).
 * O(n³): refused above 5,000 training rows. (PostgresML's own gaussian_process classification fails:
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

    private static double[][] kernel(double[][] x, double amp, double ell) {
        int n = x.length;
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                k[i][j] = k[j][i] = amp * Math.exp(-Linalg.sqDist(x[i], x[j]) / (2 * ell * ell));
            }
        }
        return k;
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** Mode finding; returns the approximate log marginal likelihood and fills {@code out}. */
    private double laplace(double[][] k, double[] t, Binary out) {
        int n = t.length;
        double[] f = new double[n];
        double[] a = new double[n];
        double[][] l = null;
        double[] sw = new double[n];
        double[] pi = new double[n];
        double prev = Double.NEGATIVE_INFINITY;
        double lml = Double.NEGATIVE_INFINITY;
        for (int it = 0; it < maxIterPredict; it++) {
            for (int i = 0; i < n; i++) {
                pi[i] = sigmoid(f[i]);
                sw[i] = Math.sqrt(pi[i] * (1 - pi[i]));
            }
            double[][] b = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    b[i][j] = sw[i] * k[i][j] * sw[j];
                }
                b[i][i] += 1;
            }
            l = Linalg.cholesky(b, 0);
            if (l == null) {
                return Double.NEGATIVE_INFINITY;
            }
            double[] bb = new double[n];
            for (int i = 0; i < n; i++) {
                bb[i] = sw[i] * sw[i] * f[i] + (t[i] - pi[i]);
            }
            double[] kb = new double[n];
            for (int i = 0; i < n; i++) {
                kb[i] = sw[i] * Linalg.dot(k[i], bb);
            }
            double[] sol = Linalg.cholSolve(l, kb);
            for (int i = 0; i < n; i++) {
                a[i] = bb[i] - sw[i] * sol[i];
            }
            for (int i = 0; i < n; i++) {
                f[i] = Linalg.dot(k[i], a);
            }
            lml = -0.5 * Linalg.dot(a, f);
            for (int i = 0; i < n; i++) {
                lml += t[i] * f[i] - Math.log1p(Math.exp(-Math.abs(f[i]))) - Math.max(f[i], 0);
                lml -= Math.log(l[i][i]);
            }
            if (lml - prev < 1e-10) {
                break;
            }
            prev = lml;
        }
        for (int i = 0; i < n; i++) {
            pi[i] = sigmoid(f[i]);
            sw[i] = Math.sqrt(pi[i] * (1 - pi[i]));
        }
        double[][] b = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                b[i][j] = sw[i] * k[i][j] * sw[j];
            }
            b[i][i] += 1;
        }
        out.l = Linalg.cholesky(b, 1e-12);
        out.sqrtW = sw;
        out.yMinusPi = new double[n];
        for (int i = 0; i < n; i++) {
            out.yMinusPi[i] = t[i] - pi[i];
        }
        return lml;
    }

    private Binary fitBinary(double[][] x, double[] t, FitContext ctx) {
        Binary best = null;
        double bestLml = Double.NEGATIVE_INFINITY;
        int step = x.length > 1000 ? 4 : x.length > 300 ? 2 : 1;
        for (int ai = -2; ai <= 8; ai += step * 2) {
            double amp = Math.pow(10, ai / 2.0);
            for (int li = -4; li <= 8; li += step) {
                double ell = lengthScale != null ? lengthScale : Math.pow(10, li / 4.0);
                ctx.checkCancelled();
                Binary b = new Binary();
                b.amp = amp;
                b.ell = ell;
                double lml = laplace(kernel(x, amp, ell), t, b);
                if (lml > bestLml && b.l != null) {
                    bestLml = lml;
                    best = b;
                }
                if (lengthScale != null) {
                    break;
                }
            }
        }
        if (best == null) {
            throw new TabularException("gaussian_process: the kernel matrix is singular for every length scale tried");
        }
        return best;
    }

    @Override
    public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
        KernelModels.checkSize("gaussian_process", x.length);
        this.numClasses = numClasses;
        this.xTrain = x;
        int problems = numClasses == 2 ? 1 : numClasses;
        models = new Binary[problems];
        for (int c = 0; c < problems; c++) {
            ctx.step("fit", "gaussian process class", c + 1, problems);
            int positive = numClasses == 2 ? 1 : c;
            double[] t = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                t[i] = y[i] == positive ? 1 : 0;
            }
            models[c] = fitBinary(x, t, ctx);
        }
    }

    private double probability(Binary b, double[] x) {
        int n = xTrain.length;
        double[] ks = new double[n];
        for (int i = 0; i < n; i++) {
            ks[i] = b.amp * Math.exp(-Linalg.sqDist(x, xTrain[i]) / (2 * b.ell * b.ell));
        }
        double mean = Linalg.dot(ks, b.yMinusPi);
        double[] swk = new double[n];
        for (int i = 0; i < n; i++) {
            swk[i] = b.sqrtW[i] * ks[i];
        }
        // v = L \ (√W k*)
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double s = swk[i];
            for (int j = 0; j < i; j++) {
                s -= b.l[i][j] * v[j];
            }
            v[i] = s / b.l[i][i];
        }
        double var = Math.max(b.amp - Linalg.dot(v, v), 0);
        return sigmoid(mean / Math.sqrt(1 + Math.PI * var / 8));
    }

    @Override
    public boolean supportsProba() {
        return true;
    }

    @Override
    public double[][] predictProba(double[][] x) {
        double[][] out = new double[x.length][numClasses];
        for (int i = 0; i < x.length; i++) {
            if (numClasses == 2) {
                double p = probability(models[0], x[i]);
                out[i][0] = 1 - p;
                out[i][1] = p;
            } else {
                double s = 0;
                for (int c = 0; c < numClasses; c++) {
                    out[i][c] = probability(models[c], x[i]);
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
