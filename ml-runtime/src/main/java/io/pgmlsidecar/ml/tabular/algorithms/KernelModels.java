package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;

/**
 * {@code kernel_ridge} (KernelRidge: dual ridge, kernel linear by default, no intercept) and
 * {@code gaussian_process} regression (GaussianProcessRegressor with the default kernel
 * constant × RBF, whose two hyperparameters and a noise level (unless alpha is given) are chosen by
 * maximising the log marginal likelihood over a log grid, on the standardised target unless
 * normalize_y = false: decision 0023c, {@link GpRegressionSearch}). Both are O(n³): refused above {@value #MAX_ROWS} training rows.
 */
public final class KernelModels {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add("kernel_ridge", 1, KernelRidge::new);
        formats.add("gaussian_process_regressor", 1, GaussianProcess::new);
    }

    private static final java.util.Set<String> KERNELS = java.util.Set.of("linear", "rbf", "poly", "polynomial", "sigmoid", "laplacian", "cosine");

    /** The stored training rows, checked to be as many as the dual coefficients. */
    static double[][] trainingRows(StateReader in, double[] dual, String type) {
        double[][] x = in.matrix("x_train");
        if (x.length != dual.length) {
            throw new TabularException("the stored " + type + " model has " + x.length + " training rows and " + dual.length
                    + " dual coefficients", "the stored bytes are damaged; retrain the project");
        }
        return x;
    }

    static final int MAX_ROWS = 5000;

    private KernelModels() {
    }

    static double kernel(String kind, double[] a, double[] b, double gamma, int degree, double coef0) {
        return switch (kind) {
            case "linear" -> Linalg.dot(a, b);
            case "poly", "polynomial" -> Math.pow(gamma * Linalg.dot(a, b) + coef0, degree);
            case "sigmoid" -> Math.tanh(gamma * Linalg.dot(a, b) + coef0);
            case "laplacian" -> {
                double s = 0;
                for (int i = 0; i < a.length; i++) {
                    s += Math.abs(a[i] - b[i]);
                }
                yield Math.exp(-gamma * s);
            }
            case "cosine" -> {
                double na = Math.sqrt(Linalg.dot(a, a));
                double nb = Math.sqrt(Linalg.dot(b, b));
                yield na == 0 || nb == 0 ? 0 : Linalg.dot(a, b) / (na * nb);
            }
            default -> Math.exp(-gamma * Linalg.sqDist(a, b));
        };
    }

    static void checkSize(String name, int n) {
        if (n > MAX_ROWS) {
            throw new TabularException(name + " needs O(n³) time and O(n²) memory; " + n + " training rows is more than its limit of " + MAX_ROWS,
                    "train on a sample of the rows, or use svm / linear models");
        }
    }

    public static final class KernelRidge implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        private final double alpha;
        private final String kernel;
        private final Double gammaParam;
        private final int degree;
        private final double coef0;
        private double gamma;
        private double[][] xTrain;
        private double[] dual;

        public KernelRidge(Params p) {
            alpha = p.dbl("alpha", 1.0);
            kernel = p.str("kernel", "linear", "linear", "rbf", "poly", "polynomial", "sigmoid", "laplacian", "cosine");
            gammaParam = p.has("gamma") ? p.dbl("gamma", 1.0) : null;
            degree = p.integer("degree", 3);
            coef0 = p.dbl("coef0", 1.0);
            p.mark("kernel_params");
        }

        /** A stored model, for prediction only (alpha is not stored). */
        private KernelRidge(StateReader in) {
            alpha = 0;
            kernel = in.getString("kernel");
            if (!KERNELS.contains(kernel)) {
                throw new TabularException("the stored kernel_ridge model's kernel \"" + kernel + "\" is unknown to this build",
                        "it was stored by a newer pgml-sidecar; upgrade the sidecar, or retrain the project with this one");
            }
            gammaParam = null;
            gamma = in.getDouble("gamma");
            degree = in.getInt("degree");
            coef0 = in.getDouble("coef0");
            dual = in.doubles("dual_coef");
            xTrain = trainingRows(in, dual, "kernel_ridge");
        }

        @Override
        public String storedType() {
            return "kernel_ridge";
        }

        @Override
        public int storedVersion() {
            return 1;
        }

        /**
         * {@code kernel}: "linear", "rbf", "poly"/"polynomial", "sigmoid", "laplacian" or "cosine";
         * {@code gamma}, {@code degree}, {@code coef0}: its parameters (gamma as resolved at fit);
         * {@code x_train}: the training rows (features); {@code dual_coef}: one dual coefficient per training
         * row. Prediction = Σ_j dual_coef[j] · kernel(x, x_train[j]), summed in row order.
         */
        @Override
        public void writeState(StateWriter out) {
            out.put("kernel", kernel).put("gamma", gamma).put("degree", degree).put("coef0", coef0)
                    .put("x_train", xTrain).put("dual_coef", dual);
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            checkSize("kernel_ridge", x.length);
            gamma = gammaParam != null ? gammaParam : 1.0 / x[0].length;
            int n = x.length;
            double[][] k = new double[n][n];
            for (int i = 0; i < n; i++) {
                if (i % 256 == 0) {
                    ctx.checkCancelled();
                }
                for (int j = 0; j <= i; j++) {
                    k[i][j] = k[j][i] = kernel(kernel, x[i], x[j], gamma, degree, coef0);
                }
                k[i][i] += alpha;
            }
            dual = Linalg.solveSpd(k, y);
            xTrain = x;
        }

        @Override
        public double[] predictValues(double[][] x) {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double s = 0;
                for (int j = 0; j < xTrain.length; j++) {
                    s += dual[j] * kernel(kernel, x[i], xTrain[j], gamma, degree, coef0);
                }
                out[i] = s;
            }
            return out;
        }
    }

    public static final class GaussianProcess implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        private final double alpha;
        /** Whether alpha (the noise variance) was given: if not, the noise is searched with the kernel's hyperparameters. */
        private final boolean alphaGiven;
        private final boolean normalizeY;
        private final Double lengthScale;
        private final boolean optimize;
        private double amplitude = 1;
        private double ell = 1;
        private double yMean;
        private double yStd = 1;
        private double[][] xTrain;
        private double[] dual;

        public GaussianProcess(Params p) {
            alphaGiven = p.has("alpha");
            alpha = p.dbl("alpha", 1e-10);
            // scikit-learn's default is false; a zero-mean prior on targets such as diabetes' (mean 152) then needs
            // the amplitude to carry the offset, so the standardised target is the default here (decision 0023c)
            normalizeY = p.bool("normalize_y", true);
            lengthScale = p.has("length_scale") ? p.dbl("length_scale", 1.0) : null;
            Object opt = p.any("optimizer", "fmin_l_bfgs_b");
            optimize = opt != null && lengthScale == null;
            p.mark("n_restarts_optimizer", "copy_X_train", "kernel");
            if (p.has("kernel")) {
                throw new TabularException("gaussian_process: only the default kernel (constant × RBF) is supported; set length_scale to fix it");
            }
        }

        /** A stored model, for prediction only (alpha, length_scale and optimizer are not stored). */
        private GaussianProcess(StateReader in) {
            alpha = 0;
            alphaGiven = false;
            lengthScale = null;
            optimize = false;
            normalizeY = in.getBoolean("normalize_y");
            amplitude = in.getDouble("amplitude");
            ell = in.getDouble("length_scale");
            yMean = in.getDouble("y_mean");
            yStd = in.getDouble("y_std");
            dual = in.doubles("dual_coef");
            xTrain = trainingRows(in, dual, "gaussian_process_regressor");
        }

        @Override
        public String storedType() {
            return "gaussian_process_regressor";
        }

        @Override
        public int storedVersion() {
            return 1;
        }

        /**
         * Kernel amplitude · exp(−|a − b|² / (2 · length_scale²)): {@code amplitude}, {@code length_scale}
         * (as fitted); {@code x_train}: the training rows; {@code dual_coef}: (K + σ²I)⁻¹y per training row (σ² the noise);
         * {@code normalize_y}: whether the target was standardised; {@code y_mean}, {@code y_std}: its mean
         * and standard deviation (0 and 1 without). Prediction = (Σ_j dual_coef[j] · k(x, x_train[j])) · y_std
         * + (normalize_y ? y_mean : 0).
         */
        @Override
        public void writeState(StateWriter out) {
            out.put("amplitude", amplitude).put("length_scale", ell).put("x_train", xTrain).put("dual_coef", dual)
                    .put("normalize_y", normalizeY).put("y_mean", yMean).put("y_std", yStd);
        }

        private static double[][] gram(double[][] x, double amp, double l, double noise) {
            int n = x.length;
            double[][] k = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    k[i][j] = k[j][i] = amp * Math.exp(-Linalg.sqDist(x[i], x[j]) / (2 * l * l));
                }
                k[i][i] += noise;
            }
            return k;
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            checkSize("gaussian_process", x.length);
            int n = x.length;
            double[] yt = y.clone();
            if (normalizeY) {
                yMean = Linalg.mean(y);
                double v = 0;
                for (double val : y) {
                    v += (val - yMean) * (val - yMean);
                }
                yStd = Math.sqrt(v / n);
                if (yStd == 0) {
                    yStd = 1;
                }
                for (int i = 0; i < n; i++) {
                    yt[i] = (y[i] - yMean) / yStd;
                }
            }
            if (lengthScale != null) {
                ell = lengthScale;
            }
            double noise = alpha;
            if (optimize) {
                GpRegressionSearch.Choice c = GpRegressionSearch.search(x, yt, alphaGiven ? alpha : null, ctx);
                if (c == null) {
                    throw new TabularException("gaussian_process: the kernel matrix cannot be decomposed at any length scale tried",
                            "set length_scale and alpha, or use kernel_ridge / svm");
                }
                amplitude = c.amplitude();
                ell = c.lengthScale();
                noise = c.noise();
            }
            dual = Linalg.solveSpd(gram(x, amplitude, ell, noise), yt);
            xTrain = x;
        }

        @Override
        public double[] predictValues(double[][] x) {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double s = 0;
                for (int j = 0; j < xTrain.length; j++) {
                    s += dual[j] * amplitude * Math.exp(-Linalg.sqDist(x[i], xTrain[j]) / (2 * ell * ell));
                }
                out[i] = s * yStd + (normalizeY ? yMean : 0);
            }
            return out;
        }
    }
}
