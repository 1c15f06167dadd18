package io.pgmlsidecar.ml.tabular.algorithms;

import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.FeatureNode;
import de.bwaldvogel.liblinear.Linear;
import de.bwaldvogel.liblinear.Model;
import de.bwaldvogel.liblinear.Parameter;
import de.bwaldvogel.liblinear.Problem;
import de.bwaldvogel.liblinear.SolverType;
import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;
import libsvm.svm;
import libsvm.svm_model;
import libsvm.svm_node;
import libsvm.svm_parameter;
import libsvm.svm_problem;

import java.io.IOException;
import java.io.Serial;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel SVMs through LIBSVM (BSD-3-Clause; scikit-learn's SVC/NuSVC/SVR/NuSVR wrap the same C code)
 * and linear models through LIBLINEAR's Java port (BSD-3-Clause; LinearSVC/LinearSVR/liblinear
 * LogisticRegression): {@code svm}, {@code nu_svm}, {@code linear_svm}, and {@code linear} classification.
 */
public final class SvmModels {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add("libsvm", 1, LibSvm::new);
        formats.add("liblinear", 1, LibLinear::new);
    }

    /** LIBSVM's own names of its svm_type and kernel_type codes, as in its model files (index = code). */
    private static final String[] SVM_TYPES = {"c_svc", "nu_svc", "one_class", "epsilon_svr", "nu_svr"};
    private static final String[] KERNEL_TYPES = {"linear", "polynomial", "rbf", "sigmoid", "precomputed"};

    private static int code(String[] names, String name, String field) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        throw new TabularException("the stored libsvm model's " + field + " \"" + name + "\" is unknown to this build",
                "it was stored by a newer pgml-sidecar; upgrade the sidecar, or retrain the project with this one");
    }

    private SvmModels() {
    }

    static {
        svm.svm_set_print_string_function(s -> { });
        Linear.disableDebugOutput();
    }

    static svm_node[] nodes(double[] row) {
        int nz = 0;
        for (double v : row) {
            if (v != 0) {
                nz++;
            }
        }
        svm_node[] out = new svm_node[nz];
        int k = 0;
        for (int j = 0; j < row.length; j++) {
            if (row[j] != 0) {
                svm_node n = new svm_node();
                n.index = j + 1;
                n.value = row[j];
                out[k++] = n;
            }
        }
        return out;
    }

    /** LIBSVM C-SVC / nu-SVC / epsilon-SVR / nu-SVR. */
    public static final class LibSvm implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        private final svm_parameter param = new svm_parameter();
        private final String gammaSpec;
        private final long seed;
        private svm_model model;
        private int numClasses;

        public LibSvm(Params p, boolean nu, boolean classification) {
            param.svm_type = classification ? (nu ? svm_parameter.NU_SVC : svm_parameter.C_SVC) : (nu ? svm_parameter.NU_SVR : svm_parameter.EPSILON_SVR);
            param.C = p.dbl("C", 1.0);
            if (nu) {
                param.nu = p.dbl("nu", 0.5);
            }
            if (!classification && !nu) {
                param.p = p.dbl("epsilon", 0.1);
            }
            String kernel = p.str("kernel", "rbf", "rbf", "linear", "poly", "sigmoid");
            param.kernel_type = switch (kernel) {
                case "linear" -> svm_parameter.LINEAR;
                case "poly" -> svm_parameter.POLY;
                case "sigmoid" -> svm_parameter.SIGMOID;
                default -> svm_parameter.RBF;
            };
            param.degree = p.integer("degree", 3);
            Object g = p.any("gamma", "scale");
            gammaSpec = String.valueOf(g);
            if (!(g instanceof Number) && !"scale".equals(gammaSpec) && !"auto".equals(gammaSpec)) {
                throw p.bad("gamma", g, "scale, auto, or a number");
            }
            param.coef0 = p.dbl("coef0", 0.0);
            param.eps = p.dbl("tol", 1e-3);
            param.cache_size = p.dbl("cache_size", 200);
            param.shrinking = p.bool("shrinking", true) ? 1 : 0;
            param.probability = classification && p.bool("probability", false) ? 1 : 0;
            seed = p.seed(0);
            p.mark("class_weight", "max_iter", "decision_function_shape", "break_ties");
        }

        /** A stored model, for prediction only: the training settings (C, nu, epsilon, tol, …) are not stored. */
        private LibSvm(StateReader in) {
            gammaSpec = null;
            seed = 0;
            numClasses = in.getInt("num_classes");
            param.svm_type = code(SVM_TYPES, in.getString("svm_type"), "svm_type");
            param.kernel_type = code(KERNEL_TYPES, in.getString("kernel_type"), "kernel_type");
            param.degree = in.getInt("degree");
            param.gamma = in.getDouble("gamma");
            param.coef0 = in.getDouble("coef0");
            param.probability = in.getBoolean("probability") ? 1 : 0;
            svm_model m = new svm_model();
            m.param = param;
            m.nr_class = in.getInt("nr_class");
            m.l = in.getInt("total_sv");
            m.rho = in.doubles("rho");
            m.probA = in.doubles("prob_a");
            m.probB = in.doubles("prob_b");
            m.prob_density_marks = in.doubles("prob_density_marks");
            m.label = in.ints("label");
            m.nSV = in.ints("nr_sv");
            m.sv_coef = in.matrix("sv_coef");
            m.sv_indices = in.ints("sv_indices");
            int[][] index = in.intMatrix("sv_feature_index");
            double[][] value = in.matrix("sv_feature_value");
            if (index.length != m.l || value.length != m.l) {
                throw new TabularException("the stored libsvm model has " + index.length + " support vector index rows and "
                        + value.length + " value rows for total_sv " + m.l, "the stored bytes are damaged; retrain the project");
            }
            m.SV = new svm_node[m.l][];
            for (int i = 0; i < m.l; i++) {
                if (index[i].length != value[i].length) {
                    throw new TabularException("the stored libsvm model's support vector " + i + " has "
                            + index[i].length + " indices and " + value[i].length + " values", "the stored bytes are damaged; retrain the project");
                }
                m.SV[i] = new svm_node[index[i].length];
                for (int j = 0; j < index[i].length; j++) {
                    svm_node n = new svm_node();
                    n.index = index[i][j];
                    n.value = value[i][j];
                    m.SV[i][j] = n;
                }
            }
            model = m;
        }

        @Override
        public String storedType() {
            return "libsvm";
        }

        @Override
        public int storedVersion() {
            return 1;
        }

        /**
         * The content of LIBSVM's model file, as named fields: {@code svm_type} ("c_svc", "nu_svc",
         * "one_class", "epsilon_svr", "nu_svr"); {@code kernel_type} ("linear", "polynomial", "rbf",
         * "sigmoid", "precomputed"); {@code degree}, {@code gamma}, {@code coef0}: the kernel's parameters;
         * {@code nr_class}: number of classes in the model (2 for regression); {@code total_sv}: number of
         * support vectors l; {@code rho}: the constant of each pairwise decision function (nr_class·(nr_class−1)/2,
         * 1 for regression); {@code prob_a}, {@code prob_b}: Platt-scaling pairs per decision function, or null
         * without probabilities; {@code prob_density_marks}: one-class probability marks, or null;
         * {@code label}: the class code of each model class, or null for regression; {@code nr_sv}: support vectors
         * per model class, or null for regression; {@code sv_coef}: nr_class−1 rows of l dual coefficients;
         * {@code sv_feature_index}, {@code sv_feature_value}: each support vector's non-zero features as
         * 1-based feature indices and their values; {@code sv_indices}: each support vector's 1-based training
         * row, or null. The estimator's own fields: {@code probability}: whether class probabilities
         * are offered; {@code num_classes}: the task's number of classes (0 for regression).
         */
        @Override
        public void writeState(StateWriter out) {
            svm_model m = model;
            int[][] index = new int[m.l][];
            double[][] value = new double[m.l][];
            for (int i = 0; i < m.l; i++) {
                svm_node[] sv = m.SV[i];
                index[i] = new int[sv.length];
                value[i] = new double[sv.length];
                for (int j = 0; j < sv.length; j++) {
                    index[i][j] = sv[j].index;
                    value[i][j] = sv[j].value;
                }
            }
            out.put("svm_type", SVM_TYPES[m.param.svm_type])
                    .put("kernel_type", KERNEL_TYPES[m.param.kernel_type])
                    .put("degree", m.param.degree)
                    .put("gamma", m.param.gamma)
                    .put("coef0", m.param.coef0)
                    .put("nr_class", m.nr_class)
                    .put("total_sv", m.l)
                    .put("rho", m.rho)
                    .put("prob_a", m.probA)
                    .put("prob_b", m.probB)
                    .put("prob_density_marks", m.prob_density_marks)
                    .put("label", m.label)
                    .put("nr_sv", m.nSV)
                    .put("sv_coef", m.sv_coef)
                    .put("sv_feature_index", index)
                    .put("sv_feature_value", value)
                    .put("sv_indices", m.sv_indices)
                    .put("probability", param.probability == 1)
                    .put("num_classes", numClasses);
        }

        private svm_problem problem(double[][] x, double[] y) {
            if (gammaSpec.equals("scale") || gammaSpec.equals("auto")) {
                int d = x[0].length;
                if (gammaSpec.equals("auto")) {
                    param.gamma = 1.0 / d;
                } else {
                    double sum = 0;
                    double sq = 0;
                    long cnt = (long) x.length * d;
                    for (double[] r : x) {
                        for (double v : r) {
                            sum += v;
                            sq += v * v;
                        }
                    }
                    double var = sq / cnt - (sum / cnt) * (sum / cnt);
                    param.gamma = var > 0 ? 1.0 / (d * var) : 1.0;
                }
            } else {
                param.gamma = Double.parseDouble(gammaSpec);
            }
            svm_problem prob = new svm_problem();
            prob.l = x.length;
            prob.y = y;
            prob.x = new svm_node[x.length][];
            for (int i = 0; i < x.length; i++) {
                prob.x[i] = nodes(x[i]);
            }
            String err = svm.svm_check_parameter(prob, param);
            if (err != null) {
                throw new TabularException("invalid svm parameters: " + err);
            }
            return prob;
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            ctx.checkCancelled();
            model = svm.svm_train(problem(x, y), param);
        }

        @Override
        public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
            ctx.checkCancelled();
            this.numClasses = numClasses;
            double[] yd = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                yd[i] = y[i];
            }
            synchronized (svm.class) {
                svm.rand.setSeed(seed);
                model = svm.svm_train(problem(x, yd), param);
            }
        }

        @Override
        public double[] predictValues(double[][] x) {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = svm.svm_predict(model, nodes(x[i]));
            }
            return out;
        }

        @Override
        public int[] predictClasses(double[][] x) {
            int[] out = new int[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (int) Math.round(svm.svm_predict(model, nodes(x[i])));
            }
            return out;
        }

        @Override
        public boolean supportsProba() {
            return param.probability == 1;
        }

        @Override
        public double[][] predictProba(double[][] x) {
            if (!supportsProba()) {
                throw new TabularException("this svm model was trained without probability estimates",
                        "train with hyperparams => '{\"probability\": true}' to use predict_proba");
            }
            int[] labels = new int[model.nr_class];
            svm.svm_get_labels(model, labels);
            double[][] out = new double[x.length][numClasses];
            double[] p = new double[model.nr_class];
            for (int i = 0; i < x.length; i++) {
                svm.svm_predict_probability(model, nodes(x[i]), p);
                double sum = 0;
                for (int k = 0; k < labels.length; k++) {
                    out[i][labels[k]] = p[k];
                    sum += p[k];
                }
                for (int k = 0; k < numClasses; k++) {
                    out[i][k] /= sum;
                }
            }
            return out;
        }
    }

    static Feature[] features(double[] row, boolean bias) {
        List<Feature> f = new ArrayList<>();
        for (int j = 0; j < row.length; j++) {
            if (row[j] != 0) {
                f.add(new FeatureNode(j + 1, row[j]));
            }
        }
        if (bias) {
            f.add(new FeatureNode(row.length + 1, 1.0));
        }
        return f.toArray(new Feature[0]);
    }

    /** LIBLINEAR: logistic regression ({@code linear} classification) and {@code linear_svm}. */
    public static final class LibLinear implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        private final SolverType solver;
        private final double c;
        private final double tol;
        private final double epsilon;
        private final int maxIter;
        private final boolean fitIntercept;
        private final boolean logistic;
        private Model model;
        private int numClasses;

        public LibLinear(Params p, String kind, boolean classification) {
            c = p.dbl("C", 1.0);
            fitIntercept = p.bool("fit_intercept", true);
            p.mark("intercept_scaling", "class_weight", "dual", "multi_class", "warm_start", "l1_ratio", "solver");
            if (kind.equals("logistic")) {
                logistic = true;
                String penalty = p.str("penalty", "l2", "l2", "l1");
                solver = "l1".equals(penalty) ? SolverType.L1R_LR : SolverType.L2R_LR;
                tol = p.dbl("tol", 1e-4);
                maxIter = p.integer("max_iter", 100);
                epsilon = 0;
            } else if (classification) {
                logistic = false;
                String loss = p.str("loss", "squared_hinge", "squared_hinge", "hinge");
                String penalty = p.str("penalty", "l2", "l2", "l1");
                if ("l1".equals(penalty)) {
                    solver = SolverType.L1R_L2LOSS_SVC;
                } else {
                    solver = "hinge".equals(loss) ? SolverType.L2R_L1LOSS_SVC_DUAL : SolverType.L2R_L2LOSS_SVC_DUAL;
                }
                tol = p.dbl("tol", 1e-4);
                maxIter = p.integer("max_iter", 1000);
                epsilon = 0;
            } else {
                logistic = false;
                String loss = p.str("loss", "epsilon_insensitive", "epsilon_insensitive", "squared_epsilon_insensitive");
                solver = "squared_epsilon_insensitive".equals(loss) ? SolverType.L2R_L2LOSS_SVR_DUAL : SolverType.L2R_L1LOSS_SVR_DUAL;
                tol = p.dbl("tol", 1e-4);
                maxIter = p.integer("max_iter", 1000);
                epsilon = p.dbl("epsilon", 0.0);
            }
        }

        /** A stored model, for prediction only: the training settings (C, tol, …) are not stored. */
        private LibLinear(StateReader in) {
            try {
                model = Model.load(new StringReader(in.getString("model")));
            } catch (IOException | RuntimeException e) {
                throw new TabularException("the stored liblinear model is not readable: " + e.getMessage(),
                        "the stored bytes are damaged or were written by an incompatible build; retrain the project");
            }
            solver = model.getSolverType();
            c = 0;
            tol = 0;
            epsilon = 0;
            maxIter = 0;
            fitIntercept = in.getBoolean("fit_intercept");
            logistic = in.getBoolean("probability");
            numClasses = in.getInt("num_classes");
        }

        @Override
        public String storedType() {
            return "liblinear";
        }

        @Override
        public int storedVersion() {
            return 1;
        }

        /**
         * {@code model}: the LIBLINEAR model in LIBLINEAR's own text model format (solver_type, nr_class,
         * label, nr_feature, bias, w; numbers printed with 17 significant digits, so exact);
         * {@code fit_intercept}: whether a constant 1 feature is appended to each row (the model's bias);
         * {@code probability}: whether class probabilities are offered (logistic regression);
         * {@code num_classes}: the task's number of classes (0 for regression).
         */
        @Override
        public void writeState(StateWriter out) {
            StringWriter text = new StringWriter();
            try {
                model.save(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.put("model", text.toString())
                    .put("fit_intercept", fitIntercept)
                    .put("probability", logistic)
                    .put("num_classes", numClasses);
        }

        private void train(double[][] x, double[] y) {
            Problem prob = new Problem();
            prob.l = x.length;
            prob.n = x[0].length + (fitIntercept ? 1 : 0);
            prob.bias = fitIntercept ? 1.0 : -1;
            prob.x = new Feature[x.length][];
            for (int i = 0; i < x.length; i++) {
                prob.x[i] = features(x[i], fitIntercept);
            }
            prob.y = y;
            Parameter param = new Parameter(solver, c, tol);
            param.setMaxIters(maxIter);
            if (!logistic && epsilon > 0) {
                param.setP(epsilon);
            } else if (solver == SolverType.L2R_L1LOSS_SVR_DUAL || solver == SolverType.L2R_L2LOSS_SVR_DUAL) {
                param.setP(0);
            }
            param.setRandom(new java.util.Random(0));
            model = Linear.train(prob, param);
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            ctx.checkCancelled();
            train(x, y);
        }

        @Override
        public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
            ctx.checkCancelled();
            this.numClasses = numClasses;
            double[] yd = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                yd[i] = y[i];
            }
            train(x, yd);
        }

        @Override
        public double[] predictValues(double[][] x) {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = Linear.predict(model, features(x[i], fitIntercept));
            }
            return out;
        }

        @Override
        public int[] predictClasses(double[][] x) {
            int[] out = new int[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = (int) Math.round(Linear.predict(model, features(x[i], fitIntercept)));
            }
            return out;
        }

        @Override
        public boolean supportsProba() {
            return logistic;
        }

        @Override
        public double[][] predictProba(double[][] x) {
            if (!logistic) {
                throw new TabularException("linear_svm does not estimate class probabilities",
                        "use linear (logistic regression) or svm with probability=true");
            }
            int[] labels = model.getLabels();
            double[][] out = new double[x.length][numClasses];
            double[] p = new double[model.getNrClass()];
            for (int i = 0; i < x.length; i++) {
                Linear.predictProbability(model, features(x[i], fitIntercept), p);
                double sum = 0;
                for (int k = 0; k < labels.length; k++) {
                    out[i][labels[k]] = p[k];
                    sum += p[k];
                }
                for (int k = 0; k < numClasses; k++) {
                    out[i][k] /= sum;
                }
            }
            return out;
        }
    }
}
