package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.algorithms.Algorithms;
import io.pgmlsidecar.ml.tabular.algorithms.Estimator;
import io.pgmlsidecar.ml.tabular.algorithms.JointRegressor;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.LabelKind;
import io.pgmlsidecar.ml.tabular.metrics.Metrics;
import io.pgmlsidecar.ml.tabular.preprocess.Preprocessor;
import io.pgmlsidecar.ml.tabular.search.HyperSearch;
import io.pgmlsidecar.ml.tabular.split.Split;
import io.pgmlsidecar.ml.tabular.split.Splitter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Trains a model as pgml.train does: split → (search with cross-validation) → preprocess fitted on the
 * training split → fit → score on the test split → a {@link TabularModel}. Errors are
 * {@link TabularException}s with messages for end users; cancellation via the {@link FitContext}.
 */
public final class TabularTrainer {
    private TabularTrainer() {
    }

    /** Threads that score a kept model's test split while its fit thread prepares the stored form. */
    private static final ExecutorService SCORERS = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("pgml-score-", 0).factory());

    /** Label encoding for a dataset and task. */
    private record Labels(String[] classKeys, double[] classValues, int[] yClass, double[] yReg, double[] target) {
    }

    /** The train/test split {@link #train} uses for this request (deterministic for the seed), e.g. for snapshot statistics. */
    public static Split splitFor(Dataset data, TrainRequest req) {
        return Splitter.split(data, req.task(), req.testSize(), req.testSampling(), req.seed());
    }

    public static TrainResult train(Dataset data, TrainRequest req) {
        return train(data, req, FitContext.none());
    }

    public static TrainResult train(Dataset data, TrainRequest req, FitContext ctx) {
        Task task = req.task();
        String algorithm = Algorithms.normalize(task, req.algorithm());
        // validate the algorithm and hyperparameters before any work
        Algorithms.create(task, algorithm, req.hyperparams(), req.xgboostDevice());
        HyperSearch.Kind kind = HyperSearch.parseKind(req.search());
        if (task.supervised() && !data.hasLabel()) {
            throw new TabularException(task.pgName() + " needs a label column (y_column_name)");
        }
        if (data.numRows() == 0) {
            throw new TabularException("the relation has no rows to train on");
        }
        if (data.numTargets() > 1 && task != Task.REGRESSION) {
            throw new TabularException("joint training (several label columns) is for regression only; this is " + task.pgName());
        }
        if (task == Task.REGRESSION && data.labelKind() == LabelKind.TEXT) {
            throw new TabularException("the label column \"" + data.labelName() + "\" is text; regression needs a numeric label",
                    "use task => 'classification'");
        }
        ctx.phase("split", "splitting " + data.numRows() + " rows (test_size " + req.testSize() + ", " + req.testSampling().pgName() + ")");
        Split split = Splitter.split(data, task, req.testSize(), req.testSampling(), req.seed());
        Labels labels = labels(data, task, split);

        Map<String, Object> params = req.hyperparams();
        Map<String, Object> searchResults = null;
        if (kind != null) {
            int k = HyperSearch.folds(req.searchArgs(), kind);
            List<Map<String, Object>> candidates = HyperSearch.candidates(req.hyperparams(), kind, req.searchParams(), req.searchArgs(), req.seed());
            for (Map<String, Object> c : candidates) {
                Algorithms.create(task, algorithm, c, req.xgboostDevice());
            }
            if (split.numTrain() < k) {
                throw new TabularException("cross-validation with cv = " + k + " needs at least " + k + " training rows, got " + split.numTrain());
            }
            ctx.phase("search", req.search() + " search: " + candidates.size() + " candidates × " + k + " folds");
            int[] foldOf = folds(split.train(), labels, task, k, req.seed());
            FitContext quiet = ctx.quiet();
            HyperSearch.Result r = HyperSearch.run(candidates, split.train(), foldOf, k, (p, tr, te) -> {
                Fitted f = fitAndScore(data, task, algorithm, p, req, labels, tr, te, quiet, false);
                Object s = f.metrics.get(task.targetMetric());
                return new double[]{s instanceof Number n ? n.doubleValue() : Double.NaN, f.fitTime, f.scoreTime};
            }, ctx);
            params = r.bestParams();
            searchResults = r.searchResults();
            ctx.phase("search", "best parameters " + params + "; refitting them on the whole training split");
        }
        ctx.phase("fit", "fitting " + algorithm + " on " + split.numTrain() + " rows");
        Fitted f = fitAndScore(data, task, algorithm, params, req, labels, split.train(), split.test(), ctx, true);
        Map<String, Object> metrics = new LinkedHashMap<>(f.metrics);
        metrics.put("fit_time", f.fitTime);
        metrics.put("score_time", f.scoreTime);
        if (searchResults != null) {
            metrics.put("search_results", searchResults);
        }
        ctx.phase("done", "trained " + algorithm + ": " + metrics.entrySet().stream()
                .filter(e -> e.getValue() instanceof Number).map(e -> e.getKey() + "=" + fmt((Number) e.getValue())).toList());
        return new TrainResult(f.model, metrics, params, split.numTrain(), split.numTest(), algorithm);
    }

    private static String fmt(Number n) {
        return String.format(java.util.Locale.ROOT, "%.4f", n.doubleValue());
    }

    private record Fitted(TabularModel model, Map<String, Object> metrics, double fitTime, double scoreTime) {
    }

    private static Fitted fitAndScore(Dataset data, Task task, String algorithm, Map<String, Object> params, TrainRequest req,
                                      Labels labels, int[] train, int[] test, FitContext ctx, boolean kept) {
        long t0 = System.nanoTime();
        Preprocessor pre = Preprocessor.fit(data, train, labels.target(), req.preprocess());
        double[][] xTrain = pre.transform(data, train);
        int targets = data.numTargets();
        Estimator est;
        if (task == Task.REGRESSION && targets > 1) {
            Estimator[] per = new Estimator[targets];
            for (int t = 0; t < targets; t++) {
                per[t] = Algorithms.create(task, algorithm, params, req.xgboostDevice());
            }
            est = new JointRegressor(per);
        } else {
            est = Algorithms.create(task, algorithm, params, req.xgboostDevice());
        }
        if (req.externalXgboost() != null) {
            if (!(est instanceof io.pgmlsidecar.ml.tabular.algorithms.XgboostModel xgb)) {
                throw new TabularException("the external engine trains xgboost only, not " + algorithm, "use algorithm => 'xgboost'");
            }
            xgb.trainWith(req.externalXgboost());
        }
        switch (task) {
            case REGRESSION -> {
                if (est instanceof JointRegressor jr) {
                    jr.fitJoint(xTrain, jointY(data, train), ctx);
                } else {
                    est.fitRegression(xTrain, pick(labels.yReg(), train), ctx);
                }
            }
            case CLASSIFICATION -> est.fitClassification(xTrain, pick(labels.yClass(), train), labels.classKeys().length, ctx);
            default -> est.fitUnsupervised(xTrain, ctx);
        }
        double fitTime = (System.nanoTime() - t0) / 1e9;
        ctx.checkCancelled();
        boolean onTrain = test.length == 0;
        int[] evalRows = onTrain ? train : test;
        double[][] xEval = onTrain ? xTrain : pre.transform(data, evalRows);
        long t1 = System.nanoTime();
        double[] scoreTime = new double[1];
        Map<String, Object> metrics;
        if (kept && est.preparesForStorage()) {
            // the estimator writes its stored form on this thread (its memory is warm from the fit) while
            // another thread scores the test split
            CompletableFuture<Map<String, Object>> scored = CompletableFuture.supplyAsync(() -> {
                Map<String, Object> m = score(task, est, algorithm, data, labels, evalRows, xEval);
                scoreTime[0] = (System.nanoTime() - t1) / 1e9;
                return m;
            }, SCORERS);
            est.prepareForStorage();
            try {
                metrics = scored.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        } else {
            metrics = score(task, est, algorithm, data, labels, evalRows, xEval);
            scoreTime[0] = (System.nanoTime() - t1) / 1e9;
        }
        TabularModel model = new TabularModel(task, algorithm, params, pre, est, data.labelNames(),
                task == Task.CLASSIFICATION ? data.labelKind() : (task == Task.REGRESSION ? LabelKind.NUMERIC : null),
                labels.classKeys(), labels.classValues());
        return new Fitted(model, metrics, fitTime, scoreTime[0]);
    }

    /** The task's metrics of the fitted estimator on the evaluation rows. */
    private static Map<String, Object> score(Task task, Estimator est, String algorithm, Dataset data, Labels labels, int[] evalRows,
                                             double[][] xEval) {
        return switch (task) {
            case REGRESSION -> {
                if (est instanceof JointRegressor jr) {
                    yield Metrics.jointRegression(jointY(data, evalRows), jr.predictJoint(xEval));
                }
                double[] pred = est.predictValues(xEval);
                for (double v : pred) {
                    if (!Double.isFinite(v)) {
                        throw new TabularException(algorithm + " produced non-finite predictions (the fit diverged)",
                                "scale the features (preprocess scale standard) or change the hyperparameters");
                    }
                }
                double[] truth = pick(labels.yReg(), evalRows);
                Map<String, Object> m = Metrics.regression(truth, pred);
                if (truth.length > 0) {
                    m.put("test_predictions", Metrics.testPredictions(truth, pred));
                }
                yield m;
            }
            case CLASSIFICATION -> {
                int[] pred = est.predictClasses(xEval);
                double[][] proba = est.supportsProba() && labels.classKeys().length == 2 ? est.predictProba(xEval) : null;
                int[] truth = pick(labels.yClass(), evalRows);
                Map<String, Object> m = Metrics.classification(truth, pred, proba, labels.classKeys().length);
                m.putAll(Metrics.perClass(truth, pred, classNames(data.labelKind(), labels)));
                yield m;
            }
            case CLUSTERING -> {
                Map<String, Object> m = new LinkedHashMap<>();
                double s = Metrics.silhouette(xEval, est.predictClasses(xEval), 2000);
                if (!Double.isNaN(s)) {
                    m.put("silhouette", s);
                }
                yield m;
            }
            case DECOMPOSITION -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cumulative_explained_variance", Arrays.stream(est.explainedVarianceRatio()).sum());
                yield m;
            }
        };
    }

    /** The classes as the user's label column has them (true / false for a boolean label, not the keys 0 / 1). */
    private static String[] classNames(LabelKind kind, Labels labels) {
        String[] names = labels.classKeys().clone();
        if (kind == LabelKind.BOOLEAN) {
            for (int k = 0; k < names.length; k++) {
                names[k] = Boolean.toString(labels.classValues()[k] != 0);
            }
        }
        return names;
    }

    private static double[][] jointY(Dataset data, int[] rows) {
        double[][] y = new double[data.numTargets()][rows.length];
        for (int t = 0; t < y.length; t++) {
            for (int i = 0; i < rows.length; i++) {
                y[t][i] = data.numericLabel(rows[i], t);
            }
        }
        return y;
    }

    private static double[] pick(double[] v, int[] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = v[rows[i]];
        }
        return out;
    }

    private static int[] pick(int[] v, int[] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = v[rows[i]];
        }
        return out;
    }

    private static Labels labels(Dataset data, Task task, Split split) {
        int n = data.numRows();
        if (task == Task.REGRESSION) {
            if (data.labelKind() == LabelKind.TEXT) {
                throw new TabularException("the label column \"" + data.labelName() + "\" is text; regression needs a numeric label",
                        "use task => 'classification'");
            }
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = data.numericLabel(i);
            }
            return new Labels(null, null, null, y, y);
        }
        if (task != Task.CLASSIFICATION) {
            return new Labels(null, null, null, null, null);
        }
        // class order: numbers ascending, booleans false/true, text sorted
        Map<String, Double> keyToValue = new HashMap<>();
        for (int i = 0; i < n; i++) {
            keyToValue.putIfAbsent(data.labelKey(i), data.labelKind() == LabelKind.TEXT ? 0.0 : data.numericLabel(i));
        }
        List<String> keys = new ArrayList<>(keyToValue.keySet());
        if (data.labelKind() == LabelKind.TEXT) {
            keys.sort(String::compareTo);
        } else {
            keys.sort((a, b) -> Double.compare(keyToValue.get(a), keyToValue.get(b)));
        }
        if (keys.size() < 2) {
            throw new TabularException("the label column \"" + data.labelName() + "\" has only one class (" + keys.get(0) + "); classification needs at least two");
        }
        Map<String, Integer> index = new TreeMap<>();
        for (int k = 0; k < keys.size(); k++) {
            index.put(keys.get(k), k);
        }
        int[] y = new int[n];
        double[] target = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = index.get(data.labelKey(i));
            target[i] = data.labelKind() == LabelKind.TEXT ? y[i] : data.numericLabel(i);
        }
        boolean[] inTrain = new boolean[keys.size()];
        for (int r : split.train()) {
            inTrain[y[r]] = true;
        }
        for (int k = 0; k < keys.size(); k++) {
            if (!inTrain[k]) {
                throw new TabularException("class " + keys.get(k) + " of \"" + data.labelName() + "\" has no rows in the training split",
                        "use test_sampling => 'stratified', a smaller test_size, or more rows of that class");
            }
        }
        double[] values = new double[keys.size()];
        for (int k = 0; k < keys.size(); k++) {
            values[k] = keyToValue.get(keys.get(k));
        }
        return new Labels(keys.toArray(new String[0]), values, y, null, target);
    }

    /** Fold of each training row: stratified by class for classification, shuffled otherwise. */
    private static int[] folds(int[] trainRows, Labels labels, Task task, int k, long seed) {
        int n = trainRows.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        Splitter.shuffle(order, rnd);
        int[] fold = new int[n];
        if (task == Task.CLASSIFICATION) {
            // stable sort of the shuffled rows by class, then deal round-robin: every class is spread over all folds
            Integer[] byClass = new Integer[n];
            for (int i = 0; i < n; i++) {
                byClass[i] = order[i];
            }
            Arrays.sort(byClass, (a, b) -> Integer.compare(labels.yClass()[trainRows[a]], labels.yClass()[trainRows[b]]));
            for (int i = 0; i < n; i++) {
                fold[byClass[i]] = i % k;
            }
        } else {
            for (int i = 0; i < n; i++) {
                fold[order[i]] = i % k;
            }
        }
        return fold;
    }

    /**
     * PostgresML's auto-deploy rule (§3.6), on the task's target metric (all higher-is-better here):
     * deploy when nothing is deployed, when neither has the metric, or when the new value is not worse
     * (ties deploy); keep the old model when only it has the metric.
     */
    public static boolean shouldDeploy(Task task, Map<String, ?> deployedMetrics, Map<String, ?> newMetrics) {
        if (deployedMetrics == null) {
            return true;
        }
        Object d = deployedMetrics.get(task.targetMetric());
        Object c = newMetrics == null ? null : newMetrics.get(task.targetMetric());
        if (!(d instanceof Number) && !(c instanceof Number)) {
            return true;
        }
        if (!(c instanceof Number)) {
            return false;
        }
        if (!(d instanceof Number)) {
            return true;
        }
        return !(((Number) d).doubleValue() > ((Number) c).doubleValue());
    }
}
