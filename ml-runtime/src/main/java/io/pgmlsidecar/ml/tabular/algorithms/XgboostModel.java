package io.pgmlsidecar.ml.tabular.algorithms;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;
import io.pgmlsidecar.ml.tabular.ExternalBoosterFit;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code xgboost} and {@code xgboost_random_forest} through XGBoost4J: the native library, trained one
 * boosting round at a time so progress is reported and cancellation is honoured between rounds.
 * Hyperparameters take the XGBoost / XGBClassifier names (n_estimators, learning_rate|eta, max_depth,
 * objective, …). {@code device} ("cpu", "cuda", "cuda:0") selects the GPU when one is there.
 * The booster is kept as UBJSON bytes, the format XGBoost itself saves. Predictions go through
 * {@link XgboostTrees}, a plain-Java evaluator of the same trees (a single row in microseconds where the
 * JNI call costs ~140 µs), when it supports the model and agrees with XGBoost4J on probe rows; otherwise
 * through XGBoost4J.
 */
public final class XgboostModel implements Estimator {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add("xgboost", 1, XgboostModel::new);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Serial
    private static final long serialVersionUID = 1L;

    private static final Map<String, String[]> ALIASES = Map.ofEntries(
            Map.entry("eta", new String[]{"learning_rate"}),
            Map.entry("gamma", new String[]{"min_split_loss"}),
            Map.entry("lambda", new String[]{"reg_lambda"}),
            Map.entry("alpha", new String[]{"reg_alpha"}));
    private static final String[] PASS_THROUGH = {"max_depth", "min_child_weight", "max_delta_step", "subsample", "colsample_bytree",
            "colsample_bylevel", "colsample_bynode", "tree_method", "scale_pos_weight", "max_bin", "grow_policy", "max_leaves", "booster",
            "sampling_method", "num_parallel_tree", "eval_metric", "nthread", "device", "sketch_eps", "refresh_leaf", "process_type",
            "updater", "predictor", "rate_drop", "one_drop", "skip_drop", "sample_type", "normalize_type", "max_cat_to_onehot",
            "base_score", "seed", "tweedie_variance_power", "huber_slope", "quantile_alpha", "multi_strategy", "validate_parameters",
            "interaction_constraints", "monotone_constraints", "feature_selector", "top_k", "updater_seq", "lambda_bias"};

    /**
     * Batches from this size go to XGBoost4J: its blocked kernel is ~1.4× faster per row than the Java
     * evaluator single-threaded, more with threads; below it the ~140 µs JNI/OpenMP start-up dominates
     * (XgboostPredictBench; README).
     */
    static final int XGBOOST4J_MIN_ROWS = 1_000;

    /** Batches up to this size (single-row serving, small chunks) build the Java evaluator when it is not built yet. */
    static final int JAVA_BUILD_MAX_ROWS = 64;

    private final boolean randomForest;
    private final Map<String, Object> params = new LinkedHashMap<>();
    private final int rounds;
    /** The booster as UBJSON: set when loaded, produced on demand (or by {@link #prepareForStorage}) after a fit. */
    private byte[] modelBytes;
    private transient volatile Booster booster;
    /** The booster evaluated in Java, built and checked on first prediction; empty: XGBoost4J predicts. */
    private transient volatile Optional<XgboostTrees> javaTrees;
    private int numClasses;
    private String objective;

    /** A stored model: the booster loads from its UBJSON on first prediction, as after Java deserialisation. */
    private XgboostModel(StateReader in) {
        modelBytes = in.bytes("booster_ubj");
        if (modelBytes == null || modelBytes.length == 0) {
            throw new TabularException("the stored xgboost model has no booster bytes", "the stored bytes are damaged; retrain the project");
        }
        rounds = in.getInt("rounds");
        numClasses = in.getInt("num_classes");
        objective = in.getString("objective");
        try {
            params.putAll(JSON.readValue(in.getString("params"), new TypeReference<LinkedHashMap<String, Object>>() { }));
        } catch (IOException | RuntimeException e) {
            throw new TabularException("the stored xgboost model's params are not a JSON object: " + e.getMessage(), e);
        }
        randomForest = false; // only labels the progress of a fit
    }

    @Override
    public String storedType() {
        return "xgboost";
    }

    /**
     * Fields: {@code booster_ubj} (the booster as XGBoost saves it, XGBoost4J's {@code Booster.toByteArray("ubj")},
     * Python's {@code save_raw("ubj")}: trees, objective and base score, written by XGBoost 3.0; XGBoost's
     * own loaders read it); {@code rounds} (boosting rounds trained);
     * {@code num_classes} (classes, 0 for regression); {@code objective} (the objective this estimator chose
     * for a classification, or the one asked for; null for a regression with the default
     * {@code reg:squarederror}); {@code params} (a JSON object as text: the native parameters it was trained
     * with; prediction reads {@code booster} and {@code nthread}).
     */
    @Override
    public void writeState(StateWriter out) {
        String paramsJson;
        try {
            paramsJson = JSON.writeValueAsString(params);
        } catch (IOException e) {
            throw new TabularException("could not store the xgboost parameters: " + e.getMessage(), e);
        }
        out.putBytes("booster_ubj", modelBytes())
                .put("rounds", rounds)
                .put("num_classes", numClasses)
                .put("objective", objective)
                .put("params", paramsJson);
    }

    public XgboostModel(Params p, boolean randomForest, String defaultDevice) {
        this.randomForest = randomForest;
        int nEstimators = p.integer("n_estimators", 100, "boost_rounds", "num_boost_round", "num_round");
        if (nEstimators < 1) {
            throw p.bad("n_estimators", nEstimators, "≥ 1");
        }
        if (randomForest) {
            rounds = 1;
            params.put("num_parallel_tree", nEstimators);
            params.put("eta", p.dbl("learning_rate", 1.0, "eta"));
            params.put("subsample", 0.8);
            params.put("colsample_bynode", 0.8);
            params.put("lambda", 1e-5);
        } else {
            rounds = nEstimators;
            params.put("eta", p.dbl("learning_rate", 0.3, "eta"));
        }
        params.put("max_depth", 6);
        params.put("tree_method", "hist");
        // half the cores by default: the sidecar keeps serving queries while it trains (OpenMP spinning on
        // every core of a busy machine is many times slower); nthread / n_jobs override it
        params.put("nthread", Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        if (defaultDevice != null) {
            params.put("device", defaultDevice);
        }
        for (Map.Entry<String, String[]> e : ALIASES.entrySet()) {
            if (e.getKey().equals("eta")) {
                continue;
            }
            if (p.has(e.getKey()) || p.has(e.getValue()[0])) {
                params.put(e.getKey(), p.any(e.getKey(), null) != null ? p.raw().get(e.getKey()) : p.raw().get(e.getValue()[0]));
            }
            p.mark(e.getKey(), e.getValue()[0]);
        }
        for (String k : PASS_THROUGH) {
            if (p.has(k)) {
                params.put(k, p.any(k, null));
            }
        }
        if (p.has("random_state")) {
            params.put("seed", p.seed(0));
        }
        if (p.has("verbose") || p.has("verbosity")) {
            params.put("verbosity", p.raw().getOrDefault("verbosity", 0));
        }
        p.mark("verbosity", "use_label_encoder", "enable_categorical", "early_stopping_rounds", "callbacks", "importance_type", "missing", "n_jobs");
        if (p.has("n_jobs")) {
            params.put("nthread", p.integer("n_jobs", 1));
        }
        objective = p.has("objective") ? p.str("objective", null) : null;
        params.put("verbosity", params.getOrDefault("verbosity", 0));
    }

    /**
     * Saves the booster (~10 ms for 1,000 trees) while the trainer scores the test split with it on
     * another thread: XGBoost's in-place prediction and model saving only read the booster.
     */
    @Override
    public boolean preparesForStorage() {
        return modelBytes == null;
    }

    @Override
    public void prepareForStorage() {
        modelBytes();
    }

    /** The booster's UBJSON bytes, saved on first use after a fit. */
    private synchronized byte[] modelBytes() {
        if (modelBytes == null) {
            try {
                modelBytes = booster.toByteArray("ubj");
            } catch (XGBoostError e) {
                throw new TabularException("could not save the XGBoost model: " + e.getMessage(), e);
            }
        }
        return modelBytes;
    }

    /** The booster as XGBoost saves it (UBJSON), e.g. to load it in XGBoost itself. */
    public byte[] boosterBytes() {
        return modelBytes().clone();
    }

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        modelBytes();
        out.defaultWriteObject();
    }

    private Booster booster() {
        Booster b = booster;
        if (b == null) {
            synchronized (this) {
                if (booster == null) {
                    try {
                        booster = XGBoost.loadModel(modelBytes);
                        if (params.containsKey("nthread")) {
                            booster.setParam("nthread", params.get("nthread"));
                        }
                    } catch (Exception e) {
                        throw new TabularException("could not load the XGBoost model: " + e.getMessage(), e);
                    }
                }
                b = booster;
            }
        }
        return b;
    }

    /** The Java evaluator when it is supported and agrees with XGBoost4J (see {@link XgboostTreesCheck}). */
    Optional<XgboostTrees> javaTrees() {
        Optional<XgboostTrees> t = javaTrees;
        if (t == null) {
            synchronized (this) {
                if (javaTrees == null) {
                    javaTrees = XgboostTreesCheck.load(booster(), this::xgboost4jPredict);
                }
                t = javaTrees;
            }
        }
        return t;
    }

    static float[] flat(double[][] x) {
        int d = x.length == 0 ? 0 : x[0].length;
        float[] out = new float[x.length * d];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = (float) x[i][j];
            }
        }
        return out;
    }

    /** Where the next fit's booster is trained instead of here (pgml.train's Spark engine); null: in this JVM. */
    private transient ExternalBoosterFit external;

    /** The next fit trains its booster with {@code fit} (which reads the same training split itself) and loads it here. */
    public void trainWith(ExternalBoosterFit fit) {
        external = fit;
    }

    private void trainExternally(int numTrainRows, FitContext ctx) {
        Map<String, Object> ps = new LinkedHashMap<>(params);
        byte[] bytes = external.fit(ps, rounds, numTrainRows, ctx);
        try {
            Booster b = XGBoost.loadModel(bytes);
            if (params.containsKey("nthread")) {
                b.setParam("nthread", params.get("nthread"));
            }
            modelBytes = null; // saved again by prepareForStorage, as after a local fit
            booster = b;
            javaTrees = null;
        } catch (XGBoostError | IOException e) {
            throw new TabularException("could not load the booster the external engine trained: " + e.getMessage(), e);
        }
    }

    private void train(double[][] x, float[] labels, FitContext ctx) {
        if (external != null) {
            trainExternally(x.length, ctx);
            return;
        }
        try {
            DMatrix dm = new DMatrix(flat(x), x.length, x[0].length, Float.NaN);
            try {
                dm.setLabel(labels);
                Map<String, Object> ps = new HashMap<>(params);
                Booster b = XGBoost.train(dm, ps, 0, new HashMap<>(), null, null);
                for (int r = 0; r < rounds; r++) {
                    ctx.step("fit", randomForest ? "random forest" : "boosting round", r + 1, rounds);
                    b.update(dm, r);
                }
                modelBytes = null;
                booster = b;
                javaTrees = null;
            } finally {
                dm.dispose();
            }
        } catch (XGBoostError e) {
            throw new TabularException("XGBoost failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void fitRegression(double[][] x, double[] y, FitContext ctx) {
        params.put("objective", objective != null ? objective : "reg:squarederror");
        float[] labels = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            labels[i] = (float) y[i];
        }
        train(x, labels, ctx);
    }

    @Override
    public void fitClassification(double[][] x, int[] y, int numClasses, FitContext ctx) {
        this.numClasses = numClasses;
        String obj = objective != null ? objective : (numClasses == 2 ? "binary:logistic" : "multi:softprob");
        if (obj.startsWith("multi:")) {
            params.put("num_class", numClasses);
        } else if (numClasses > 2) {
            throw new TabularException("objective " + obj + " is for two classes; the label has " + numClasses,
                    "use multi:softprob (the default)");
        }
        params.put("objective", obj);
        objective = obj;
        float[] labels = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            labels[i] = y[i];
        }
        train(x, labels, ctx);
    }

    private float[][] raw(double[][] x) {
        if (x.length == 0) {
            return new float[0][];
        }
        float[] rows = flat(x);
        int width = x[0].length;
        // the evaluator is built (tens of ms for a big ensemble) for serving-sized batches only, so that
        // scoring a test split right after training does not pay for it
        boolean useJava = x.length < XGBOOST4J_MIN_ROWS && (x.length <= JAVA_BUILD_MAX_ROWS || javaTrees != null);
        XgboostTrees trees = useJava ? javaTrees().orElse(null) : null;
        if (trees != null && trees.numFeatures() == width) {
            return trees.predict(rows, x.length);
        }
        return xgboost4jPredict(rows, x.length, width);
    }

    /** Predicts through XGBoost4J (native, multithreaded): {@code inplace_predict}, or a DMatrix for gblinear. */
    float[][] xgboost4jPredict(float[] rows, int count, int width) {
        try {
            if (!"gblinear".equals(params.get("booster"))) {
                return booster().inplace_predict(rows, count, width, Float.NaN);
            }
            // XGBoost's gblinear has no inplace_predict
            DMatrix dm = new DMatrix(rows, count, width, Float.NaN);
            try {
                return booster().predict(dm);
            } finally {
                dm.dispose();
            }
        } catch (XGBoostError e) {
            throw new TabularException("XGBoost prediction failed: " + e.getMessage(), e);
        }
    }

    @Override
    public double[] predictValues(double[][] x) {
        float[][] r = raw(x);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = r[i][0];
        }
        return out;
    }

    @Override
    public boolean supportsProba() {
        return objective != null && (objective.equals("binary:logistic") || objective.equals("multi:softprob"));
    }

    @Override
    public double[][] predictProba(double[][] x) {
        if (!supportsProba()) {
            throw new TabularException("objective " + objective + " does not give probabilities", "use binary:logistic or multi:softprob");
        }
        float[][] r = raw(x);
        double[][] out = new double[x.length][numClasses];
        for (int i = 0; i < x.length; i++) {
            if (numClasses == 2 && r[i].length == 1) {
                out[i][1] = r[i][0];
                out[i][0] = 1 - r[i][0];
            } else {
                double s = 0;
                for (int k = 0; k < numClasses; k++) {
                    s += r[i][k];
                }
                for (int k = 0; k < numClasses; k++) {
                    out[i][k] = r[i][k] / s;
                }
            }
        }
        return out;
    }

    @Override
    public int[] predictClasses(double[][] x) {
        if (supportsProba()) {
            return Estimator.argmax(predictProba(x));
        }
        float[][] r = raw(x);
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            if (r[i].length > 1) {
                out[i] = Estimator.argmax(new double[][]{toDouble(r[i])})[0];
            } else if (objective.startsWith("multi:")) {
                out[i] = Math.round(r[i][0]);
            } else {
                out[i] = r[i][0] > (objective.equals("binary:hinge") ? 0.5 : 0.5) ? 1 : 0;
            }
        }
        return out;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** The native parameters the booster was trained with. */
    public Map<String, Object> nativeParams() {
        Map<String, Object> m = new LinkedHashMap<>(params);
        m.put("num_boost_round", rounds);
        return m;
    }

    @Override
    public void afterLoad() {
        booster = null;
        javaTrees = null;
    }
}
