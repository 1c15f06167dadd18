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
import libsvm.svm;
import libsvm.svm_model;
import libsvm.svm_node;
import libsvm.svm_parameter;
import libsvm.svm_problem;

import java.io.Serial;
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
