package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.Task;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The registry of algorithm names (PostgresML's {@code pgml.algorithm} labels) per task. Names that
 * PostgresML knows but that are not implemented here get an error listing the supported ones.
 */
public final class Algorithms {
    private Algorithms() {
    }

    /** Every label of PostgresML's pgml.algorithm enum. */
    /** Algorithms whose Python wrappers drop None parameters (XGBoost's and LightGBM's scikit-learn classes). */
    private static final java.util.Set<String> NONE_MEANS_DEFAULT = java.util.Set.of("xgboost", "xgboost_random_forest", "lightgbm");

    public static final List<String> POSTGRESML_NAMES = List.of("linear", "xgboost", "xgboost_random_forest", "svm", "lasso",
            "elastic_net", "ridge", "kmeans", "dbscan", "knn", "random_forest", "least_angle", "lasso_least_angle",
            "orthogonal_matching_pursuit", "bayesian_ridge", "automatic_relevance_determination", "stochastic_gradient_descent",
            "perceptron", "passive_aggressive", "ransac", "theil_sen", "huber", "quantile", "kernel_ridge", "gaussian_process",
            "nu_svm", "ada_boost", "bagging", "extra_trees", "gradient_boosting_trees", "hist_gradient_boosting", "linear_svm",
            "lightgbm", "transformers", "affinity_propagation", "birch", "feature_agglomeration", "mini_batch_kmeans", "mean_shift",
            "optics", "spectral", "spectral_bi", "spectral_co", "catboost", "pca");

    /** Factory: (params, xgboost default device) → estimator. */
    private static final Map<Task, Map<String, BiFunction<Params, String, Estimator>>> REGISTRY = new EnumMap<>(Task.class);

    static {
        Map<String, BiFunction<Params, String, Estimator>> reg = new LinkedHashMap<>();
        reg.put("linear", (p, d) -> new LinearModels.Ols(p));
        reg.put("ridge", (p, d) -> new LinearModels.Ridge(p));
        reg.put("lasso", (p, d) -> new LinearModels.ElasticNet(p, true));
        reg.put("elastic_net", (p, d) -> new LinearModels.ElasticNet(p, false));
        reg.put("least_angle", (p, d) -> new LinearModels.Lars(p, false));
        reg.put("lasso_least_angle", (p, d) -> new LinearModels.Lars(p, true));
        reg.put("orthogonal_matching_pursuit", (p, d) -> new LinearModels.Omp(p));
        reg.put("bayesian_ridge", (p, d) -> new LinearModels.BayesianRidge(p));
        reg.put("automatic_relevance_determination", (p, d) -> new LinearModels.Ard(p));
        reg.put("stochastic_gradient_descent", (p, d) -> new SgdModels.SgdRegressor(p, "sgd"));
        reg.put("passive_aggressive", (p, d) -> new SgdModels.SgdRegressor(p, "pa"));
        reg.put("ransac", (p, d) -> new LinearModels.Ransac(p));
        reg.put("theil_sen", (p, d) -> new LinearModels.TheilSen(p));
        reg.put("huber", (p, d) -> new LinearModels.Huber(p));
        reg.put("quantile", (p, d) -> new LinearModels.Quantile(p));
        reg.put("kernel_ridge", (p, d) -> new KernelModels.KernelRidge(p));
        reg.put("gaussian_process", (p, d) -> new KernelModels.GaussianProcess(p));
        reg.put("svm", (p, d) -> new SvmModels.LibSvm(p, false, false));
        reg.put("nu_svm", (p, d) -> new SvmModels.LibSvm(p, true, false));
        reg.put("linear_svm", (p, d) -> new SvmModels.LibLinear(p, "svm", false));
        reg.put("ada_boost", (p, d) -> new Ensembles.AdaBoost(p, false));
        reg.put("bagging", (p, d) -> new Ensembles.Forest(p, "bagging", false));
        reg.put("extra_trees", (p, d) -> new Ensembles.Forest(p, "extra_trees", false));
        reg.put("gradient_boosting_trees", (p, d) -> new Ensembles.GradientBoosting(p, false));
        reg.put("random_forest", (p, d) -> new Ensembles.Forest(p, "random_forest", false));
        reg.put("hist_gradient_boosting", (p, d) -> new HistGradientBoosting(p, false));
        reg.put("xgboost", (p, d) -> new XgboostModel(p, false, d));
        reg.put("xgboost_random_forest", (p, d) -> new XgboostModel(p, true, d));
        reg.put("lightgbm", (p, d) -> new LightgbmModel(p));
        REGISTRY.put(Task.REGRESSION, reg);

        Map<String, BiFunction<Params, String, Estimator>> clf = new LinkedHashMap<>();
        clf.put("linear", (p, d) -> new SvmModels.LibLinear(p, "logistic", true));
        clf.put("ridge", (p, d) -> new SgdModels.RidgeClassifier(p));
        clf.put("stochastic_gradient_descent", (p, d) -> new SgdModels.SgdClassifier(p, "sgd"));
        clf.put("perceptron", (p, d) -> new SgdModels.SgdClassifier(p, "perceptron"));
        clf.put("passive_aggressive", (p, d) -> new SgdModels.SgdClassifier(p, "pa"));
        clf.put("gaussian_process", (p, d) -> new GaussianProcessClassifier(p));
        clf.put("svm", (p, d) -> new SvmModels.LibSvm(p, false, true));
        clf.put("nu_svm", (p, d) -> new SvmModels.LibSvm(p, true, true));
        clf.put("linear_svm", (p, d) -> new SvmModels.LibLinear(p, "svm", true));
        clf.put("ada_boost", (p, d) -> new Ensembles.AdaBoost(p, true));
        clf.put("bagging", (p, d) -> new Ensembles.Forest(p, "bagging", true));
        clf.put("extra_trees", (p, d) -> new Ensembles.Forest(p, "extra_trees", true));
        clf.put("gradient_boosting_trees", (p, d) -> new Ensembles.GradientBoosting(p, true));
        clf.put("random_forest", (p, d) -> new Ensembles.Forest(p, "random_forest", true));
        clf.put("hist_gradient_boosting", (p, d) -> new HistGradientBoosting(p, true));
        clf.put("xgboost", (p, d) -> new XgboostModel(p, false, d));
        clf.put("xgboost_random_forest", (p, d) -> new XgboostModel(p, true, d));
        clf.put("lightgbm", (p, d) -> new LightgbmModel(p));
        REGISTRY.put(Task.CLASSIFICATION, clf);

        Map<String, BiFunction<Params, String, Estimator>> cl = new LinkedHashMap<>();
        cl.put("kmeans", (p, d) -> new Clustering.KMeans(p));
        cl.put("mini_batch_kmeans", (p, d) -> new Clustering.MiniBatchKMeans(p));
        cl.put("dbscan", (p, d) -> new Clustering.Dbscan(p));
        cl.put("mean_shift", (p, d) -> new Clustering.MeanShift(p));
        cl.put("affinity_propagation", (p, d) -> new Clustering.AffinityPropagation(p));
        cl.put("birch", (p, d) -> new Birch(p));
        cl.put("spectral", (p, d) -> new SpectralClustering(p));
        REGISTRY.put(Task.CLUSTERING, cl);

        Map<String, BiFunction<Params, String, Estimator>> dec = new LinkedHashMap<>();
        dec.put("pca", (p, d) -> new Clustering.Pca(p));
        REGISTRY.put(Task.DECOMPOSITION, dec);
    }

    /** PostgresML's default: {@code linear} becomes kmeans for clustering and pca for decomposition. */
    public static String normalize(Task task, String algorithm) {
        String a = algorithm == null ? "linear" : algorithm.trim().toLowerCase(Locale.ROOT);
        if (a.equals("linear") && task == Task.CLUSTERING) {
            return "kmeans";
        }
        if (a.equals("linear") && task == Task.DECOMPOSITION) {
            return "pca";
        }
        return a;
    }

    /** Supported names per task, in a stable order. */
    public static Map<Task, List<String>> supported() {
        Map<Task, List<String>> out = new EnumMap<>(Task.class);
        REGISTRY.forEach((t, m) -> out.put(t, List.copyOf(m.keySet())));
        return Collections.unmodifiableMap(out);
    }

    public static boolean supports(Task task, String algorithm) {
        return REGISTRY.get(task).containsKey(normalize(task, algorithm));
    }

    /**
     * Creates an unfitted estimator. Unknown hyperparameters and unsupported names are errors.
     *
     * @param xgboostDevice the default XGBoost device ("cuda" when a GPU is configured, else null = cpu)
     */
    public static Estimator create(Task task, String algorithm, Map<String, ?> hyperparams, String xgboostDevice) {
        String a = normalize(task, algorithm);
        BiFunction<Params, String, Estimator> f = REGISTRY.get(task).get(a);
        if (f == null && a.equals("catboost") && REGISTRY.get(task).containsKey("lightgbm")) {
            throw new TabularException("algorithm catboost cannot be trained by this sidecar: CatBoost publishes no trainer for the JVM "
                    + "(its JVM package ai.catboost:catboost-prediction only applies models; training needs Python or its Spark package on a Spark cluster)",
                    "lightgbm and xgboost are the gradient-boosted trees served here: algorithm => 'lightgbm'");
        }
        if (f == null) {
            String why = POSTGRESML_NAMES.contains(a)
                    ? "algorithm " + a + " is not supported for " + task.pgName() + " by this sidecar"
                    : "unknown algorithm \"" + algorithm + "\"";
            throw new TabularException(why, "supported for " + task.pgName() + ": " + String.join(", ", REGISTRY.get(task).keySet()));
        }
        Params p = NONE_MEANS_DEFAULT.contains(a) ? Params.noneMeansDefault(a, hyperparams) : new Params(a, hyperparams);
        Estimator e = f.apply(p, xgboostDevice);
        p.finish();
        return e;
    }
}
