package io.pgmlsidecar.ml.tabular;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PostgresML example flows' quality bars, on the bundled toy sets. */
class ToyBenchmarksTest {

    @Test
    void digitsXgboostAccuracy() {
        long t0 = System.nanoTime();
        TrainResult r = TabularTrainer.train(Toy.get("digits", "target"),
                TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost").build());
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("digits xgboost: accuracy %.4f f1 %.4f fit_time %.3fs total %.3fs%n",
                Toy.metric(r, "accuracy"), Toy.metric(r, "f1"), Toy.metric(r, "fit_time"), secs);
        assertTrue(Toy.metric(r, "accuracy") >= 0.95, "accuracy " + r.metrics());
        assertEquals(449, r.numTestRows()); // round(1797 × 0.25)
        assertEquals(10, r.model().numClasses());
        assertEquals(64, r.model().numFeatures());
    }

    /** The engine's overhead over XGBoost4J alone on the same arrays (the target: ≤ 1.2×). */
    @Test
    void digitsXgboostOverheadVersusXgboost4jAlone() throws Exception {
        io.pgmlsidecar.ml.tabular.data.Dataset d = Toy.get("digits", "target");
        int n = d.numRows();
        float[] x = new float[n * 64];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 64; j++) {
                x[i * 64 + j] = (float) d.columns().get(j).value(i);
            }
            y[i] = (float) d.numericLabel(i);
        }
        java.util.Map<String, Object> params = new java.util.HashMap<>(java.util.Map.of("objective", "multi:softprob", "num_class", 10,
                "tree_method", "hist", "max_depth", 6, "eta", 0.3, "verbosity", 0,
                "nthread", Math.max(1, Runtime.getRuntime().availableProcessors() / 2)));
        double raw = Double.MAX_VALUE;
        double engine = Double.MAX_VALUE;
        for (int rep = 0; rep < 2; rep++) {
            long t0 = System.nanoTime();
            ml.dmlc.xgboost4j.java.DMatrix dm = new ml.dmlc.xgboost4j.java.DMatrix(x, n, 64, Float.NaN);
            dm.setLabel(y);
            ml.dmlc.xgboost4j.java.XGBoost.train(dm, params, 100, new java.util.HashMap<>(), null, null).dispose();
            dm.dispose();
            raw = Math.min(raw, (System.nanoTime() - t0) / 1e9);
            long t1 = System.nanoTime();
            TabularTrainer.train(d, TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost").testSize(0).build());
            engine = Math.min(engine, (System.nanoTime() - t1) / 1e9);
        }
        System.out.printf("digits 1797 rows, 100 rounds: XGBoost4J alone %.3fs, TabularTrainer.train (split, preprocess, fit, score) %.3fs, ratio %.2f%n",
                raw, engine, engine / raw);
        assertTrue(engine / raw < 2.0, "overhead " + engine / raw);
    }

    @Test
    void digitsHistGradientBoostingAndRandomForest() {
        for (String alg : new String[]{"hist_gradient_boosting", "random_forest"}) {
            long t0 = System.nanoTime();
            TrainResult r = TabularTrainer.train(Toy.get("digits", "target"), TrainRequest.builder(Task.CLASSIFICATION).algorithm(alg).build());
            System.out.printf("digits %s: accuracy %.4f fit_time %.3fs%n", alg, Toy.metric(r, "accuracy"), (System.nanoTime() - t0) / 1e9);
            assertTrue(Toy.metric(r, "accuracy") >= 0.93, alg + " " + r.metrics());
        }
    }

    @Test
    void breastCancerBinaryF1() {
        TrainResult r = TabularTrainer.train(Toy.get("breast_cancer", "malignant"),
                TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost").build());
        System.out.println("breast_cancer xgboost: " + r.metrics());
        assertTrue(Toy.metric(r, "f1") >= 0.93, "f1 " + r.metrics());
        for (String k : new String[]{"f1", "precision", "recall", "accuracy", "mcc", "roc_auc", "log_loss", "fit_time", "score_time"}) {
            assertTrue(r.metrics().containsKey(k), k);
        }
        assertEquals(java.util.List.of(false, true), r.model().classes());
        // the tables behind the macro scores: one count per test row (round(569 × 0.25) = 142)
        long cells = ((java.util.List<?>) r.metrics().get("confusion_matrix")).stream()
                .flatMap(row -> ((java.util.List<?>) row).stream()).mapToLong(v -> ((Number) v).longValue()).sum();
        assertEquals(142, cells, "confusion matrix " + r.metrics().get("confusion_matrix"));
        assertEquals(java.util.List.of("false", "true"), r.metrics().get("classes"), "the boolean label's values, in the tables' order");
        double macroRecall = ((java.util.List<?>) r.metrics().get("recall_per_class")).stream()
                .mapToDouble(v -> ((Number) v).doubleValue()).average().orElseThrow();
        assertEquals(Toy.metric(r, "recall"), macroRecall, 1e-12, "macro recall is the mean of the per-class ones");
    }

    @Test
    void breastCancerLinearLogistic() {
        TrainResult r = TabularTrainer.train(Toy.get("breast_cancer", "malignant"),
                TrainRequest.builder(Task.CLASSIFICATION).algorithm("linear").build());
        System.out.println("breast_cancer linear: " + r.metrics());
        assertTrue(Toy.metric(r, "f1") >= 0.9, "f1 " + r.metrics());
    }

    @Test
    void diabetesLinearR2() {
        TrainResult r = TabularTrainer.train(Toy.get("diabetes", "target"),
                TrainRequest.builder(Task.REGRESSION).algorithm("linear").build());
        System.out.println("diabetes linear: " + r.metrics());
        assertTrue(Toy.metric(r, "r2") >= 0.4, "r2 " + r.metrics());
        assertTrue(r.metrics().keySet().containsAll(java.util.List.of("r2", "mean_absolute_error", "mean_squared_error", "fit_time", "score_time")));
        // the pairs r2 was computed from, one per test row (round(442 × 0.25) = 111), for the dashboard's scatter
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> pairs = (java.util.Map<String, Object>) r.metrics().get("test_predictions");
        assertEquals(111, pairs.get("rows"));
        java.util.List<?> actual = (java.util.List<?>) pairs.get("actual");
        java.util.List<?> predicted = (java.util.List<?>) pairs.get("predicted");
        assertEquals(111, actual.size());
        assertEquals(111, predicted.size());
        double[] y = actual.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
        double[] p = predicted.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
        assertEquals(Toy.metric(r, "r2"), ((Number) io.pgmlsidecar.ml.tabular.metrics.Metrics.regression(y, p).get("r2")).doubleValue(), 1e-5);
    }

    @Test
    void diabetesSgdConvergesWithScikitLearnsDefaults() {
        // raw diabetes features made SGD diverge; on scikit-learn's scaled table its defaults converge
        TrainResult r = TabularTrainer.train(Toy.get("diabetes", "target"),
                TrainRequest.builder(Task.REGRESSION).algorithm("stochastic_gradient_descent").build());
        System.out.println("diabetes sgd: " + r.metrics());
        assertTrue(Double.isFinite(Toy.metric(r, "r2")) && Toy.metric(r, "r2") > 0.3, "r2 " + r.metrics());
    }
}
