package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.split.Splitter;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;
import java.util.SplittableRandom;

/**
 * Online linear models written here: {@code stochastic_gradient_descent} (SGDRegressor / SGDClassifier),
 * {@code perceptron}, {@code passive_aggressive} (PA-I), and the {@code ridge} classifier (RidgeClassifier).
 * Classifiers are one-vs-rest for more than two classes, as in scikit-learn. Epochs check cancellation.
 */
public final class SgdModels {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add("sgd_regressor", 1, SgdRegressor::new);
        formats.add("ovr_linear_classifier", 1, SgdClassifier::new);
    }

    /** Splits stored {@code coef} and {@code intercept} back into the in-memory {w…, b} layout. */
    private static double[] joinWb(double[] coef, double intercept) {
        double[] wb = java.util.Arrays.copyOf(coef, coef.length + 1);
        wb[coef.length] = intercept;
        return wb;
    }

    private SgdModels() {
    }

    enum Loss { SQUARED, HUBER, EPS_INSENSITIVE, SQ_EPS_INSENSITIVE, HINGE, LOG, MODIFIED_HUBER, SQUARED_HINGE, PERCEPTRON }

    /** Shared SGD settings. */
    static final class Sgd implements java.io.Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        Loss loss;
        String penalty = "l2";
        double alpha = 1e-4;
        double l1Ratio = 0.15;
        int maxIter = 1000;
        double tol = 1e-3;
        double eta0 = 0.01;
        double powerT = 0.25;
        String schedule = "invscaling";
        double epsilon = 0.1;
        boolean fitIntercept = true;
        int nIterNoChange = 5;
        long seed;
        boolean passiveAggressive;
        double c = 1.0;

        double dloss(double p, double y) {
            double z = p * y;
            return switch (loss) {
                case SQUARED -> p - y;
                case HUBER -> Math.abs(p - y) <= epsilon ? p - y : epsilon * Math.signum(p - y);
                case EPS_INSENSITIVE -> Math.abs(y - p) <= epsilon ? 0 : -Math.signum(y - p);
                case SQ_EPS_INSENSITIVE -> Math.abs(y - p) <= epsilon ? 0 : -2 * (y - p - epsilon * Math.signum(y - p));
                case HINGE -> z <= 1 ? -y : 0;
                case PERCEPTRON -> z <= 0 ? -y : 0;
                case SQUARED_HINGE -> z < 1 ? -2 * y * (1 - z) : 0;
                case LOG -> {
                    if (z > 18) {
                        yield -y * Math.exp(-z);
                    }
                    if (z < -18) {
                        yield -y;
                    }
                    yield -y / (Math.exp(z) + 1);
                }
                case MODIFIED_HUBER -> z >= 1 ? 0 : (z >= -1 ? -2 * (1 - z) * y : -4 * y);
            };
        }

        double loss(double p, double y) {
            double z = p * y;
            return switch (loss) {
                case SQUARED -> 0.5 * (p - y) * (p - y);
                case HUBER -> Math.abs(p - y) <= epsilon ? 0.5 * (p - y) * (p - y) : epsilon * (Math.abs(p - y) - epsilon / 2);
                case EPS_INSENSITIVE -> Math.max(0, Math.abs(y - p) - epsilon);
                case SQ_EPS_INSENSITIVE -> Math.pow(Math.max(0, Math.abs(y - p) - epsilon), 2);
                case HINGE -> Math.max(0, 1 - z);
                case PERCEPTRON -> Math.max(0, -z);
                case SQUARED_HINGE -> Math.pow(Math.max(0, 1 - z), 2);
                case LOG -> z > 18 ? Math.exp(-z) : (z < -18 ? -z : Math.log1p(Math.exp(-z)));
                case MODIFIED_HUBER -> z >= 1 ? 0 : (z >= -1 ? (1 - z) * (1 - z) : -4 * z);
            };
        }

        /** Trains one linear function; returns {w…, b}. */
        double[] train(double[][] x, double[] y, FitContext ctx, String what) {
            int n = x.length;
            int d = x[0].length;
            double[] w = new double[d];
            double b = 0;
            SplittableRandom rnd = new SplittableRandom(seed);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            double best = Double.MAX_VALUE;
            int noImprove = 0;
            long t = 1;
            double t0 = 0;
            if ("optimal".equals(schedule)) {
                double typw = Math.sqrt(1.0 / Math.sqrt(alpha));
                double eta0Opt = typw / Math.max(1.0, Math.abs(dloss(-typw, 1.0)));
                t0 = 1.0 / (eta0Opt * alpha);
            }
            for (int epoch = 0; epoch < maxIter; epoch++) {
                ctx.step("fit", what + " epoch", epoch + 1, maxIter);
                Splitter.shuffle(order, rnd);
                double sumLoss = 0;
                for (int oi = 0; oi < n; oi++) {
                    int i = order[oi];
                    double p = Linalg.dot(w, x[i]) + b;
                    sumLoss += loss(p, y[i]);
                    if (passiveAggressive) {
                        double l;
                        double sign;
                        if (loss == Loss.HINGE) {
                            l = Math.max(0, 1 - y[i] * p);
                            sign = y[i];
                        } else {
                            l = Math.max(0, Math.abs(y[i] - p) - epsilon);
                            sign = Math.signum(y[i] - p);
                        }
                        if (l > 0) {
                            double norm = Linalg.dot(x[i], x[i]) + (fitIntercept ? 1 : 0);
                            double tau = norm == 0 ? 0 : Math.min(c, l / norm);
                            for (int j = 0; j < d; j++) {
                                w[j] += tau * sign * x[i][j];
                            }
                            if (fitIntercept) {
                                b += tau * sign;
                            }
                        }
                        t++;
                        continue;
                    }
                    double eta = switch (schedule) {
                        case "constant" -> eta0;
                        case "optimal" -> 1.0 / (alpha * (t0 + t - 1));
                        default -> eta0 / Math.pow(t, powerT);
                    };
                    double g = dloss(p, y[i]);
                    if (!"none".equals(penalty) && !"l1".equals(penalty)) {
                        double l2 = "elasticnet".equals(penalty) ? alpha * (1 - l1Ratio) : alpha;
                        double shrink = 1 - eta * l2;
                        for (int j = 0; j < d; j++) {
                            w[j] *= shrink;
                        }
                    }
                    if (g != 0) {
                        for (int j = 0; j < d; j++) {
                            w[j] -= eta * g * x[i][j];
                        }
                        if (fitIntercept) {
                            b -= eta * g * ("optimal".equals(schedule) ? 0.01 : 1.0);
                        }
                    }
                    if ("l1".equals(penalty) || "elasticnet".equals(penalty)) {
                        double l1 = eta * alpha * ("l1".equals(penalty) ? 1 : l1Ratio);
                        for (int j = 0; j < d; j++) {
                            w[j] = Math.signum(w[j]) * Math.max(0, Math.abs(w[j]) - l1);
                        }
                    }
                    t++;
                }
                if (tol > 0 && !Double.isInfinite(tol)) {
                    if (sumLoss > best - tol * n) {
                        noImprove++;
                    } else {
                        noImprove = 0;
                    }
                    best = Math.min(best, sumLoss);
                    if (noImprove >= nIterNoChange) {
                        break;
                    }
                }
            }
            double[] out = new double[d + 1];
            System.arraycopy(w, 0, out, 0, d);
            out[d] = b;
            for (double v : out) {
                if (!Double.isFinite(v)) {
                    throw new io.pgmlsidecar.ml.tabular.TabularException("the stochastic gradient descent diverged (weights became infinite)",
                            "scale the features, e.g. preprocess => '{\"col\": {\"scale\": \"standard\"}}' for each column, or lower eta0 / alpha");
                }
            }
            return out;
        }
    }

    static Sgd readSgd(Params p, boolean classification, String kind) {
        Sgd s = new Sgd();
        s.seed = p.seed(0);
        s.fitIntercept = p.bool("fit_intercept", true);
        s.maxIter = p.integer("max_iter", 1000);
        Object tol = p.any("tol", 1e-3);
        if (tol == null || "none".equalsIgnoreCase(String.valueOf(tol))) {
            s.tol = 0;
        } else if (tol instanceof Number tn) {
            s.tol = tn.doubleValue();
        } else {
            throw p.bad("tol", tol, "a number or null");
        }
        s.nIterNoChange = p.integer("n_iter_no_change", 5);
        p.mark("shuffle", "warm_start", "average", "early_stopping", "validation_fraction", "class_weight");
        switch (kind) {
            case "sgd" -> {
                String loss = classification
                        ? p.str("loss", "hinge", "hinge", "log_loss", "log", "modified_huber", "squared_hinge", "perceptron")
                        : p.str("loss", "squared_error", "squared_error", "squared_loss", "huber", "epsilon_insensitive", "squared_epsilon_insensitive");
                s.loss = switch (loss) {
                    case "log_loss", "log" -> Loss.LOG;
                    case "modified_huber" -> Loss.MODIFIED_HUBER;
                    case "squared_hinge" -> Loss.SQUARED_HINGE;
                    case "perceptron" -> Loss.PERCEPTRON;
                    case "hinge" -> Loss.HINGE;
                    case "huber" -> Loss.HUBER;
                    case "epsilon_insensitive" -> Loss.EPS_INSENSITIVE;
                    case "squared_epsilon_insensitive" -> Loss.SQ_EPS_INSENSITIVE;
                    default -> Loss.SQUARED;
                };
                s.penalty = p.str("penalty", "l2", "l2", "l1", "elasticnet", "none");
                s.alpha = p.dbl("alpha", 1e-4);
                s.l1Ratio = p.dbl("l1_ratio", 0.15);
                s.epsilon = p.dbl("epsilon", 0.1);
                s.schedule = p.str("learning_rate", classification ? "optimal" : "invscaling", "constant", "optimal", "invscaling", "adaptive");
                if ("adaptive".equals(s.schedule)) {
                    s.schedule = "constant";
                }
                s.eta0 = p.dbl("eta0", classification ? 0.0 : 0.01);
                if (!"optimal".equals(s.schedule) && s.eta0 <= 0) {
                    throw p.bad("eta0", s.eta0, "> 0 with learning_rate " + s.schedule);
                }
                s.powerT = p.dbl("power_t", classification ? 0.5 : 0.25);
            }
            case "perceptron" -> {
                s.loss = Loss.PERCEPTRON;
                String pen = p.str("penalty", "none", "l2", "l1", "elasticnet", "none");
                s.penalty = pen == null ? "none" : pen;
                s.alpha = p.dbl("alpha", 1e-4);
                s.l1Ratio = p.dbl("l1_ratio", 0.15);
                s.schedule = "constant";
                s.eta0 = p.dbl("eta0", 1.0);
            }
            default -> { // passive aggressive
                s.passiveAggressive = true;
                s.c = p.dbl("C", 1.0);
                s.epsilon = p.dbl("epsilon", 0.1);
                s.loss = classification ? Loss.HINGE : Loss.EPS_INSENSITIVE;
                p.str("loss", classification ? "hinge" : "epsilon_insensitive", classification ? "hinge" : "epsilon_insensitive");
                s.penalty = "none";
            }
        }
        return s;
    }

    /** {@code stochastic_gradient_descent} / {@code passive_aggressive} regression. */
    public static final class SgdRegressor implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        private final Sgd sgd;
        private double[] wb;

        public SgdRegressor(Params p, String kind) {
            sgd = readSgd(p, false, kind);
        }

        /** A stored model, for prediction only (the training settings are not stored). */
        private SgdRegressor(StateReader in) {
            sgd = null;
            wb = joinWb(in.doubles("coef"), in.getDouble("intercept"));
        }

        @Override
        public String storedType() {
            return "sgd_regressor";
        }

        @Override
        public int storedVersion() {
            return 1;
        }

        /**
         * {@code coef}: the weight of each feature; {@code intercept}: the constant term
         * (prediction = intercept + coef[0]·x[0] + coef[1]·x[1] + …, added in that order).
         */
        @Override
        public void writeState(StateWriter out) {
            int d = wb.length - 1;
            out.put("coef", java.util.Arrays.copyOf(wb, d)).put("intercept", wb[d]);
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            wb = sgd.train(x, y, ctx, "sgd");
        }

        @Override
        public double[] predictValues(double[][] x) {
            double[] out = new double[x.length];
            int d = wb.length - 1;
            for (int i = 0; i < x.length; i++) {
                double s = wb[d];
                for (int j = 0; j < d; j++) {
                    s += wb[j] * x[i][j];
                }
                out[i] = s;
            }
            return out;
        }
    }

    /** One-vs-rest linear decision functions. */
    abstract static class OvrLinear implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        double[][] wb; // per binary problem: {w…, b}
        int numClasses;

        /** How decision values become probabilities: "logistic", "modified_huber", or "none" (no probabilities). */
        abstract String probabilityLink();

        @Override
        public String storedType() {
            return "ovr_linear_classifier";
        }

        @Override
        public int storedVersion() {
            return 1;
        }

        /**
         * {@code num_classes}: number of classes k; {@code coef}: one row of feature weights per binary
         * problem (1 row, class 1 vs 0, when k = 2; else k rows, class i vs rest); {@code intercept}: the
         * constant term of each row (decision value = intercept + coef · x, added from the intercept on in
         * feature order); {@code probability}: "logistic" (σ of the decision value),
         * "modified_huber" ((clip(z, −1, 1) + 1) / 2), or "none". The class is the one positive decision
         * (k = 2) or the largest decision value (k &gt; 2, first on ties).
         */
        @Override
        public void writeState(StateWriter out) {
            double[][] coef = new double[wb.length][];
            double[] intercept = new double[wb.length];
            for (int k = 0; k < wb.length; k++) {
                int d = wb[k].length - 1;
                coef[k] = java.util.Arrays.copyOf(wb[k], d);
                intercept[k] = wb[k][d];
            }
            out.put("num_classes", numClasses).put("coef", coef).put("intercept", intercept)
                    .put("probability", probabilityLink());
        }

        void readOvr(StateReader in) {
            numClasses = in.getInt("num_classes");
            double[][] coef = in.matrix("coef");
            double[] intercept = in.doubles("intercept");
            if (coef.length != intercept.length || coef.length != (numClasses == 2 ? 1 : numClasses)) {
                throw new io.pgmlsidecar.ml.tabular.TabularException("the stored ovr_linear_classifier has "
                        + coef.length + " coef rows and " + intercept.length + " intercepts for " + numClasses + " classes",
                        "the stored bytes are damaged; retrain the project");
            }
            wb = new double[coef.length][];
            for (int k = 0; k < coef.length; k++) {
                wb[k] = joinWb(coef[k], intercept[k]);
            }
        }

        double[][] decision(double[][] x) {
            double[][] out = new double[x.length][wb.length];
            int d = wb[0].length - 1;
            for (int i = 0; i < x.length; i++) {
                for (int k = 0; k < wb.length; k++) {
                    double s = wb[k][d];
                    for (int j = 0; j < d; j++) {
                        s += wb[k][j] * x[i][j];
                    }
                    out[i][k] = s;
                }
            }
            return out;
        }

        @Override
        public int[] predictClasses(double[][] x) {
            double[][] dec = decision(x);
            int[] out = new int[x.length];
            for (int i = 0; i < x.length; i++) {
                if (numClasses == 2) {
                    out[i] = dec[i][0] > 0 ? 1 : 0;
                } else {
                    out[i] = Estimator.argmax(new double[][]{dec[i]})[0];
                }
            }
            return out;
        }

        static double[] target(int[] y, int positive) {
            double[] t = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                t[i] = y[i] == positive ? 1 : -1;
            }
            return t;
        }
    }

    /** {@code stochastic_gradient_descent}, {@code perceptron}, {@code passive_aggressive} classification. */
    public static final class SgdClassifier extends OvrLinear {
        @Serial
        private static final long serialVersionUID = 1L;
        private final Sgd sgd;

        public SgdClassifier(Params p, String kind) {
            sgd = readSgd(p, true, kind);
        }

        /**
         * A stored {@code ovr_linear_classifier} (of this class or of {@link RidgeClassifier}, whose
         * prediction is the same), for prediction only: of the training settings only the loss's
         * probability link is kept ("none" reads as hinge, which has no probabilities).
         */
        private SgdClassifier(StateReader in) {
            readOvr(in);
            sgd = new Sgd();
            String link = in.getString("probability");
            sgd.loss = switch (link == null ? "" : link) {
                case "logistic" -> Loss.LOG;
                case "modified_huber" -> Loss.MODIFIED_HUBER;
                case "none" -> Loss.HINGE;
                default -> throw new io.pgmlsidecar.ml.tabular.TabularException(
                        "the stored ovr_linear_classifier's probability link \"" + link + "\" is unknown to this build",
                        "it was stored by a newer pgml-sidecar; upgrade the sidecar, or retrain the project with this one");
            };
        }

        @Override
        String probabilityLink() {
            return switch (sgd.loss) {
                case LOG -> "logistic";
                case MODIFIED_HUBER -> "modified_huber";
                default -> "none";
            };
        }

        @Override
        public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
            this.numClasses = numClasses;
            int problems = numClasses == 2 ? 1 : numClasses;
            wb = new double[problems][];
            for (int k = 0; k < problems; k++) {
                int positive = numClasses == 2 ? 1 : k;
                wb[k] = sgd.train(x, target(y, positive), ctx, "class " + k);
            }
        }

        @Override
        public boolean supportsProba() {
            return sgd.loss == Loss.LOG || sgd.loss == Loss.MODIFIED_HUBER;
        }

        @Override
        public double[][] predictProba(double[][] x) {
            if (!supportsProba()) {
                throw new io.pgmlsidecar.ml.tabular.TabularException("stochastic_gradient_descent estimates probabilities only with loss log_loss or modified_huber", "train with hyperparams => '{\"loss\": \"log_loss\"}'");
            }
            double[][] dec = decision(x);
            double[][] out = new double[x.length][numClasses];
            for (int i = 0; i < x.length; i++) {
                if (numClasses == 2) {
                    double p1 = prob(dec[i][0]);
                    out[i][0] = 1 - p1;
                    out[i][1] = p1;
                } else {
                    double sum = 0;
                    for (int k = 0; k < numClasses; k++) {
                        out[i][k] = prob(dec[i][k]);
                        sum += out[i][k];
                    }
                    for (int k = 0; k < numClasses; k++) {
                        out[i][k] = sum == 0 ? 1.0 / numClasses : out[i][k] / sum;
                    }
                }
            }
            return out;
        }

        private double prob(double z) {
            if (sgd.loss == Loss.LOG) {
                return 1 / (1 + Math.exp(-z));
            }
            return (Math.max(-1, Math.min(1, z)) + 1) / 2;
        }
    }

    /** {@code ridge} classification: ridge regression on ±1 targets, one-vs-rest. */
    public static final class RidgeClassifier extends OvrLinear {
        @Serial
        private static final long serialVersionUID = 1L;
        private final double alpha;
        private final boolean fitIntercept;

        public RidgeClassifier(Params p) {
            alpha = p.dbl("alpha", 1.0);
            fitIntercept = p.bool("fit_intercept", true);
            p.mark("solver", "tol", "max_iter", "copy_X", "class_weight", "positive");
        }

        /** Stored as an {@code ovr_linear_classifier} without probabilities (read back as a {@link SgdClassifier}). */
        @Override
        String probabilityLink() {
            return "none";
        }

        @Override
        public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
            this.numClasses = numClasses;
            int problems = numClasses == 2 ? 1 : numClasses;
            wb = new double[problems][];
            for (int k = 0; k < problems; k++) {
                ctx.checkCancelled();
                Params rp = new Params("ridge", java.util.Map.of("alpha", alpha, "fit_intercept", fitIntercept));
                LinearModels.Ridge r = new LinearModels.Ridge(rp);
                r.fitRegression(x, target(y, numClasses == 2 ? 1 : k), ctx);
                double[] c = r.coef();
                wb[k] = java.util.Arrays.copyOf(c, c.length + 1);
                wb[k][c.length] = r.intercept();
            }
        }
    }
}
