package io.pgmlsidecar.ml.tabular.algorithms;

import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMDataset;
import io.github.metarank.lightgbm4j.LGBMException;
import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code lightgbm}: LightGBM through lightgbm4j (which ships the native library). Hyperparameters are
 * LightGBM's own parameters and their aliases, as PostgresML passes them (its rust runtime hands them to
 * LightGBM; {@code LGBMRegressor}'s names such as n_estimators, subsample, colsample_bytree, reg_alpha and
 * random_state are LightGBM aliases too). Objective: regression, binary (2 classes) or multiclass, unless
 * given. The stored form is LightGBM's own model text.
 */
public final class LightgbmModel implements Estimator {
    @Serial
    private static final long serialVersionUID = 1L;
    static final String STORED_TYPE = "lightgbm";

    /** Names LightGBM takes for the number of boosting rounds; the rounds are driven here (progress, cancel). */
    private static final List<String> ROUNDS = List.of("n_estimators", "num_iterations", "num_iteration", "n_iter", "num_tree",
            "num_trees", "num_round", "num_rounds", "nrounds", "num_boost_round", "max_iter");
    /**
     * Aliases (LightGBM's documented ones for the common parameters, and scikit-learn's LGBMModel names);
     * canonical names come from the native library itself, see {@link #canonicalNames()}.
     */
    private static final Set<String> ALIASES = Set.of("boosting_type", "boost", "application", "objective_type", "app", "loss",
            "eta", "shrinkage_rate", "num_leaf", "max_leaves", "max_leaf", "max_leaf_nodes", "min_data_per_leaf", "min_data",
            "min_child_samples", "min_samples_leaf", "min_sum_hessian_per_leaf", "min_sum_hessian", "min_hessian", "min_child_weight",
            "sub_row", "subsample", "bagging", "subsample_freq", "sub_feature", "colsample_bytree", "colsample_bynode",
            "feature_fraction_bynode", "reg_alpha", "l1_regularization", "reg_lambda", "lambda", "l2_regularization",
            "min_split_gain", "random_seed", "random_state", "num_thread", "nthread", "nthreads", "n_jobs", "device",
            "verbose", "subsample_for_bin", "max_bins", "is_unbalance", "unbalance", "unbalanced_sets", "num_classes",
            "metric_types", "metrics", "early_stopping_rounds", "early_stopping", "n_iter_no_change", "tree", "tree_type",
            "tree_learner_type", "hist_pool_size", "extra_tree", "max_tree_output", "max_leaf_output", "monotone_constraint",
            "mc", "linear_trees", "feature_contrib", "fc", "fp", "feature_penalty", "path_smoothing", "drop_rate",
            "rate_drop", "importance_type", "cat_feature", "categorical_column", "cat_column", "categorical_features",
            "zero_as_missing", "use_missing", "pos_bagging", "neg_bagging", "top_rate", "other_rate");

    private final Map<String, Object> params = new LinkedHashMap<>();
    private final int rounds;
    private final String objective;
    /** LightGBM's model text: the stored form, produced after a fit (or read). */
    private String modelText;
    private int numClasses;
    private transient volatile LightgbmPredictor booster;

    public LightgbmModel(Params p) {
        int n = 100;
        for (String k : ROUNDS) {
            if (p.has(k)) {
                n = p.integer(k, 100);
            }
        }
        p.mark(ROUNDS.toArray(String[]::new));
        if (n < 1) {
            throw p.bad("n_estimators", n, "≥ 1");
        }
        rounds = n;
        objective = p.has("objective") ? p.str("objective", null) : null;
        refuseRankingObjective(p);
        if (p.has("class_weight")) {
            throw new TabularException("lightgbm: class_weight is a scikit-learn wrapper option this sidecar does not implement",
                    "use LightGBM's is_unbalance = true or scale_pos_weight for two classes");
        }
        Set<String> canonical = canonicalNames();
        for (Map.Entry<String, Object> e : p.raw().entrySet()) {
            String k = e.getKey();
            if (ROUNDS.contains(k) || k.equals("objective") || k.equals("importance_type")) {
                continue;
            }
            if (!canonical.contains(k) && !ALIASES.contains(k)) {
                throw new TabularException("lightgbm: unknown hyperparameter \"" + k + "\"",
                        "LightGBM's parameters are listed at https://lightgbm.readthedocs.io/en/latest/Parameters.html");
            }
            params.put(k, e.getValue());
        }
        p.mark(p.raw().keySet().toArray(String[]::new));
        // half the cores by default, as for XGBoost: the sidecar keeps serving while it trains
        if (!params.containsKey("num_threads") && !params.containsKey("n_jobs") && !params.containsKey("nthread")
                && !params.containsKey("num_thread") && !params.containsKey("nthreads")) {
            params.put("num_threads", Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        }
        if (!params.containsKey("seed") && !params.containsKey("random_state") && !params.containsKey("random_seed")) {
            params.put("seed", 0);
        }
        params.putIfAbsent("verbosity", -1);
    }

    /** LightGBM's ranking objectives and their aliases (its Parameters page, "objective"). */
    private static final Set<String> RANKING_OBJECTIVES = Set.of("lambdarank", "rank_xendcg", "xendcg", "xe_ndcg", "xe_ndcg_mart",
            "xendcg_mart");
    /** The names LightGBM takes for the objective. */
    private static final List<String> OBJECTIVE_NAMES = List.of("objective", "objective_type", "app", "application", "loss");

    /**
     * Ranking objectives train on query groups (LightGBM's "group" field), and pgml.train has no argument that
     * names a group column: PostgresML's LightGBM gets no query information either and fails in LightGBM with
     * "Ranking tasks require query information". Refused before any data is read, with the way to get a ranker.
     */
    private static void refuseRankingObjective(Params p) {
        for (String name : OBJECTIVE_NAMES) {
            Object v = p.raw().get(name);
            if (v instanceof String o && RANKING_OBJECTIVES.contains(o.toLowerCase(Locale.ROOT))) {
                throw new TabularException("lightgbm: the ranking objective \"" + o + "\" needs query groups, and pgml.train "
                        + "(like PostgresML's) has no argument that names a group column",
                        "train a regression on the relevance label (objective regression) or a classification on "
                                + "relevant / not relevant, and order each query's rows by pgml.predict");
            }
        }
    }

    /** A model read from its stored state: predicts only. */
    private LightgbmModel(StateReader in) {
        rounds = in.getInt("rounds");
        numClasses = in.getInt("num_classes");
        objective = in.getString("objective");
        modelText = in.getString("model");
    }

    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add(STORED_TYPE, 1, LightgbmModel::new);
    }

    private static volatile Set<String> canonical;

    /** Every canonical parameter name of the bundled LightGBM: the "parameters:" section of a tiny model's text. */
    static Set<String> canonicalNames() {
        Set<String> c = canonical;
        if (c == null) {
            synchronized (LightgbmModel.class) {
                if (canonical == null) {
                    canonical = readCanonicalNames();
                }
                c = canonical;
            }
        }
        return c;
    }

    private static Set<String> readCanonicalNames() {
        loadNative();
        try (LGBMDataset d = LGBMDataset.createFromMat(new double[]{0, 1, 2, 3}, 4, 1, true, "verbosity=-1 min_data_in_bin=1", null)) {
            d.setField("label", new float[]{0, 1, 0, 1});
            try (LGBMBooster b = LGBMBooster.create(d, "objective=regression verbosity=-1 min_data_in_leaf=1")) {
                b.updateOneIter();
                String text = b.saveModelToString(0, 0, LGBMBooster.FeatureImportanceType.SPLIT);
                Set<String> names = new LinkedHashSet<>();
                int start = text.indexOf("\nparameters:\n");
                int end = text.indexOf("\nend of parameters", start);
                for (String line : text.substring(start + 1, end).split("\n")) {
                    if (line.startsWith("[") && line.contains(":")) {
                        names.add(line.substring(1, line.indexOf(':')).trim());
                    }
                }
                return Set.copyOf(names);
            }
        } catch (LGBMException e) {
            throw new TabularException("LightGBM could not start: " + e.getMessage(), e);
        }
    }

    private static void loadNative() {
        LightgbmNative.load();
    }

    @Override
    public String storedType() {
        return STORED_TYPE;
    }

    /**
     * {@code model}: LightGBM's model text ({@code LGBM_BoosterSaveModelToString}, all iterations);
     * {@code num_classes}: 0 for regression; {@code objective}: the objective as given, or null for the default;
     * {@code rounds}: boosting rounds trained.
     */
    @Override
    public void writeState(StateWriter out) {
        out.put("model", modelText).put("num_classes", numClasses).put("objective", objective).put("rounds", rounds);
    }

    private String paramString(String defaultObjective) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> all = new LinkedHashMap<>(params);
        all.put("objective", objective != null ? objective : defaultObjective);
        if (numClasses > 2 && "multiclass".equals(defaultObjective)) {
            all.put("num_class", numClasses);
        }
        all.forEach((k, v) -> {
            String value = v instanceof Boolean b ? b.toString() : v instanceof List<?> l
                    ? String.join(",", l.stream().map(String::valueOf).toList()) : String.valueOf(v);
            if (value.contains(" ")) {
                throw new TabularException("lightgbm: hyperparameter " + k + " has a value with a space: " + value);
            }
            sb.append(k).append('=').append(value).append(' ');
        });
        return sb.toString().trim();
    }

    private void train(double[][] x, float[] labels, String defaultObjective, FitContext ctx) {
        loadNative();
        int d = x[0].length;
        double[] flat = new double[x.length * d];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, flat, i * d, d);
        }
        String ps = paramString(defaultObjective);
        try (LGBMDataset data = LGBMDataset.createFromMat(flat, x.length, d, true, ps, null)) {
            data.setField("label", labels);
            LGBMBooster b = LGBMBooster.create(data, ps);
            try {
                for (int r = 0; r < rounds; r++) {
                    ctx.step("fit", "boosting round", r + 1, rounds);
                    if (b.updateOneIter()) {
                        break; // no more splits can be made
                    }
                }
                modelText = b.saveModelToString(0, 0, LGBMBooster.FeatureImportanceType.SPLIT);
            } finally {
                b.close();
            }
        } catch (LGBMException e) {
            throw new TabularException("LightGBM failed: " + e.getMessage(), hintFor(e.getMessage()));
        }
        booster = null;
    }

    private static String hintFor(String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (m.contains("gpu") || m.contains("cuda")) {
            return "lightgbm4j's native library is built for CPUs; leave device / device_type out";
        }
        return "check the hyperparameters against https://lightgbm.readthedocs.io/en/latest/Parameters.html";
    }

    @Override
    public void fitRegression(double[][] x, double[] y, FitContext ctx) {
        float[] labels = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            labels[i] = (float) y[i];
        }
        train(x, labels, "regression", ctx);
    }

    @Override
    public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
        this.numClasses = numClasses;
        float[] labels = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            labels[i] = y[i];
        }
        train(x, labels, numClasses == 2 ? "binary" : "multiclass", ctx);
    }

    private LightgbmPredictor booster() {
        LightgbmPredictor b = booster;
        if (b == null) {
            synchronized (this) {
                if (booster == null) {
                    loadNative();
                    booster = new LightgbmPredictor(this, modelText);
                }
                b = booster;
            }
        }
        return b;
    }

    /** LightGBM's raw output: one value per row, or numClasses per row for multiclass. */
    private double[] raw(double[][] x) {
        if (x.length == 0) {
            return new double[0];
        }
        return booster().predict(x, x.length < 1000 ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    }

    @Override
    public double[] predictValues(double[][] x) {
        return raw(x);
    }

    @Override
    public boolean supportsProba() {
        return numClasses >= 2 && (objective == null || objective.equals("binary") || objective.startsWith("multiclass")
                || objective.equals("softmax") || objective.equals("cross_entropy") || objective.equals("xentropy"));
    }

    @Override
    public double[][] predictProba(double[][] x) {
        if (!supportsProba()) {
            throw new TabularException("objective " + objective + " does not give probabilities", "use binary or multiclass");
        }
        double[] r = raw(x);
        double[][] out = new double[x.length][numClasses];
        boolean perClass = r.length == (long) x.length * numClasses && numClasses > 2;
        for (int i = 0; i < x.length; i++) {
            if (perClass) {
                System.arraycopy(r, i * numClasses, out[i], 0, numClasses);
            } else {
                out[i][1] = r[i];
                out[i][0] = 1 - r[i];
            }
        }
        return out;
    }

    @Override
    public int[] predictClasses(double[][] x) {
        if (supportsProba()) {
            return Estimator.argmax(predictProba(x));
        }
        double[] r = raw(x);
        int[] out = new int[x.length];
        if (r.length == (long) x.length * numClasses && numClasses > 2) {
            for (int i = 0; i < x.length; i++) {
                double[] row = new double[numClasses];
                System.arraycopy(r, i * numClasses, row, 0, numClasses);
                out[i] = Estimator.argmax(new double[][]{row})[0];
            }
        } else {
            for (int i = 0; i < x.length; i++) {
                out[i] = r[i] > 0.5 ? 1 : 0;
            }
        }
        return out;
    }
}
