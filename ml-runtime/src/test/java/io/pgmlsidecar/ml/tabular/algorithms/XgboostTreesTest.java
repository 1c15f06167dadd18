package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularModel;
import io.pgmlsidecar.ml.tabular.TabularTrainer;
import io.pgmlsidecar.ml.tabular.Task;
import io.pgmlsidecar.ml.tabular.TrainRequest;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java evaluator of XGBoost boosters against XGBoost4J's {@code inplace_predict}: real models trained
 * through the project's API, every row of their data set plus threshold-edge and NaN probe rows.
 */
class XgboostTreesTest {

    @ParameterizedTest
    @ValueSource(strings = {"reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror", "reg:absoluteerror",
            "count:poisson", "reg:gamma", "reg:tweedie"})
    void regressionObjectives(String objective) {
        XgboostModel model = train(Task.REGRESSION, "diabetes", "target", "xgboost", Map.of("n_estimators", 30, "objective", objective));
        assertJavaMatchesXgboost4j(model, features("diabetes", "target"), 1);
    }

    @Test
    void regressionWithDefaults() {
        XgboostModel model = train(Task.REGRESSION, "diabetes", "target", "xgboost", Map.of());
        assertJavaMatchesXgboost4j(model, features("diabetes", "target"), 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"binary:logistic", "binary:logitraw", "reg:logistic"})
    void binaryClassification(String objective) {
        XgboostModel model = train(Task.CLASSIFICATION, "breast_cancer", "malignant", "xgboost", Map.of("n_estimators", 40, "objective", objective));
        assertJavaMatchesXgboost4j(model, features("breast_cancer", "malignant"), 1);
    }

    @Test
    void multiClassProbabilities() {
        XgboostModel model = train(Task.CLASSIFICATION, "wine", "target", "xgboost", Map.of("n_estimators", 40));
        assertJavaMatchesXgboost4j(model, features("wine", "target"), 3);
    }

    @Test
    void multiClassLabels() {
        XgboostModel model = train(Task.CLASSIFICATION, "iris", "target", "xgboost", Map.of("n_estimators", 40, "objective", "multi:softmax"));
        assertJavaMatchesXgboost4j(model, features("iris", "target"), 1);
    }

    @Test
    void randomForests() {
        XgboostModel regression = train(Task.REGRESSION, "diabetes", "target", "xgboost_random_forest", Map.of("n_estimators", 25));
        assertEquals(25, regression.nativeParams().get("num_parallel_tree"));
        assertJavaMatchesXgboost4j(regression, features("diabetes", "target"), 1);
        XgboostModel classes = train(Task.CLASSIFICATION, "wine", "target", "xgboost_random_forest", Map.of("n_estimators", 25));
        assertJavaMatchesXgboost4j(classes, features("wine", "target"), 3);
    }

    @Test
    void missingValuesInTrainingAndPrediction() {
        SplittableRandom random = new SplittableRandom(7);
        double[][] x = new double[600][5];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] = random.nextDouble() < 0.2 ? Double.NaN : random.nextGaussian();
            }
            // missingness itself carries signal, so the learnt default directions matter
            y[i] = (Double.isNaN(x[i][0]) ? 3 : x[i][0]) + (Double.isNaN(x[i][1]) ? -2 : x[i][1]) + 0.1 * random.nextGaussian();
        }
        XgboostModel model = new XgboostModel(new Params("xgboost", Map.of("n_estimators", 50)), false, null);
        model.fitRegression(x, y, FitContext.none());
        assertJavaMatchesXgboost4j(model, x, 1);
        double[] predicted = model.predictValues(new double[][]{{Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN}});
        assertEquals(1, predicted.length);
    }

    @Test
    void largeBatchesGoThroughXgboost4jAndAgreeWithJava() {
        XgboostModel model = train(Task.REGRESSION, "diabetes", "target", "xgboost", Map.of("n_estimators", 20));
        double[][] rows = features("diabetes", "target");
        double[][] batch = new double[XgboostModel.XGBOOST4J_MIN_ROWS + 1][];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = rows[i % rows.length];
        }
        float[] flat = XgboostModel.flat(batch);
        float[][] xgboost4j = model.xgboost4jPredict(flat, batch.length, flat.length / batch.length);
        double[] served = model.predictValues(batch);
        for (int i = 0; i < batch.length; i++) {
            assertEquals(xgboost4j[i][0], served[i], 0.0);
        }
        assertClose(xgboost4j, model.javaTrees().orElseThrow().predict(flat, batch.length), 1);
    }

    @Test
    void unsupportedBoostersAndObjectivesFallBackToXgboost4j() {
        double[][] diabetes = features("diabetes", "target");
        for (Map<String, Object> hyperparams : List.<Map<String, Object>>of(
                Map.of("n_estimators", 10, "booster", "dart"),
                Map.of("n_estimators", 10, "booster", "gblinear"),
                Map.of("n_estimators", 10, "objective", "reg:quantileerror", "quantile_alpha", 0.5))) {
            XgboostModel model = train(Task.REGRESSION, "diabetes", "target", "xgboost", hyperparams);
            assertTrue(model.javaTrees().isEmpty(), hyperparams + " is not evaluated in Java");
            assertPredictsLikeXgboost4j(model, diabetes);
        }
        XgboostModel hinge = train(Task.CLASSIFICATION, "breast_cancer", "malignant", "xgboost", Map.of("n_estimators", 10, "objective", "binary:hinge"));
        assertTrue(hinge.javaTrees().isEmpty());
        double[][] cancer = features("breast_cancer", "malignant");
        int[] classes = hinge.predictClasses(cancer);
        float[][] reference = hinge.xgboost4jPredict(XgboostModel.flat(cancer), cancer.length, cancer[0].length);
        for (int i = 0; i < classes.length; i++) {
            assertEquals(reference[i][0] > 0.5 ? 1 : 0, classes[i]);
        }
    }

    @Test
    void selfCheckRejectsAnEvaluatorThatDisagrees() {
        XgboostModel model = train(Task.REGRESSION, "diabetes", "target", "xgboost", Map.of("n_estimators", 10));
        XgboostTrees trees = model.javaTrees().orElseThrow();
        assertTrue(XgboostTreesCheck.agrees(trees, model::xgboost4jPredict));
        assertTrue(!XgboostTreesCheck.agrees(trees, (rows, count, width) -> {
            float[][] shifted = model.xgboost4jPredict(rows, count, width);
            shifted[count - 1][0] += Math.max(1e-3f, Math.abs(shifted[count - 1][0]) * 1e-4f);
            return shifted;
        }), "a difference above the tolerance");
        assertTrue(!XgboostTreesCheck.agrees(trees, (rows, count, width) -> new float[count][2]), "a different shape");
    }

    @Test
    void serializedModelPredictsTheSameThroughJava() {
        TabularModel model = TabularTrainer.train(dataset("wine", "target"), TrainRequest.builder(Task.CLASSIFICATION)
                .algorithm("xgboost").hyperparams(Map.of("n_estimators", 20)).build()).model();
        TabularModel back = TabularModel.fromBytes(model.toBytes());
        double[][] x = features("wine", "target");
        assertArrayEquals(model.predict(x), back.predict(x), 0.0);
        double[][] p = model.predictProba(x);
        double[][] q = back.predictProba(x);
        for (int i = 0; i < x.length; i++) {
            assertArrayEquals(p[i], q[i], 0.0);
        }
        assertTrue(((XgboostModel) back.estimator()).javaTrees().isPresent());
    }

    @Test
    void concurrentFirstPredictionsShareOneEvaluator() throws Exception {
        TabularModel trained = TabularTrainer.train(dataset("diabetes", "target"), TrainRequest.builder(Task.REGRESSION)
                .algorithm("xgboost").hyperparams(Map.of("n_estimators", 20)).build()).model();
        TabularModel loaded = TabularModel.fromBytes(trained.toBytes());
        double[][] x = features("diabetes", "target");
        double[] expected = trained.predict(x);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<double[]>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> loaded.predict(x)));
            }
            for (Future<double[]> r : results) {
                assertArrayEquals(expected, r.get(), 0.0);
            }
        } finally {
            pool.shutdownNow();
        }
        XgboostModel model = (XgboostModel) loaded.estimator();
        assertSame(model.javaTrees(), model.javaTrees());
        assertTrue(model.javaTrees().isPresent());
    }

    /** Trains through TabularTrainer, as pgml.train does, and returns the estimator. */
    private static XgboostModel train(Task task, String dataset, String label, String algorithm, Map<String, Object> hyperparams) {
        TabularModel model = TabularTrainer.train(dataset(dataset, label), TrainRequest.builder(task).algorithm(algorithm)
                .hyperparams(hyperparams).build()).model();
        return (XgboostModel) model.estimator();
    }

    private static Dataset dataset(String name, String label) {
        return PgmlDatasets.toDataset(PgmlDatasets.load(name, null), label);
    }

    /** Every row of the data set's features (no preprocessing is configured, so the estimator sees these). */
    private static double[][] features(String name, String label) {
        Dataset d = dataset(name, label);
        double[][] x = new double[d.numRows()][d.columns().size()];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] = d.columns().get(j).value(i);
            }
        }
        return x;
    }

    /** The data rows and 300 probe rows at the model's thresholds and NaN, within 1e-5 relative / 1e-6 absolute. */
    private static void assertJavaMatchesXgboost4j(XgboostModel model, double[][] x, int width) {
        XgboostTrees trees = model.javaTrees().orElseThrow(() -> new AssertionError("the model is not evaluated in Java"));
        assertClose(model.xgboost4jPredict(XgboostModel.flat(x), x.length, x[0].length), trees.predict(XgboostModel.flat(x), x.length), width);
        float[] probes = XgboostTreesCheck.probeRows(trees, 300);
        assertClose(model.xgboost4jPredict(probes, 300, trees.numFeatures()), trees.predict(probes, 300), width);
        assertPredictsLikeXgboost4j(model, x);
    }

    /** The estimator's public predictions are the XGBoost4J values (whichever path served them). */
    private static void assertPredictsLikeXgboost4j(XgboostModel model, double[][] x) {
        float[][] reference = model.xgboost4jPredict(XgboostModel.flat(x), x.length, x[0].length);
        if (model.supportsProba()) {
            double[][] p = model.predictProba(x);
            for (int i = 0; i < x.length; i++) {
                double expected = reference[i].length == 1 ? reference[i][0] : reference[i][0] / sum(reference[i]);
                assertEquals(expected, reference[i].length == 1 ? p[i][1] : p[i][0], tolerance(expected));
            }
        } else if (model.nativeParams().get("num_class") == null) {
            double[] v = model.predictValues(x);
            for (int i = 0; i < x.length; i++) {
                assertEquals(reference[i][0], v[i], tolerance(reference[i][0]));
            }
        }
    }

    private static void assertClose(float[][] expected, float[][] actual, int width) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(width, expected[i].length);
            assertEquals(width, actual[i].length);
            for (int k = 0; k < width; k++) {
                assertEquals(expected[i][k], actual[i][k], tolerance(expected[i][k]), "row " + i + " value " + k);
            }
        }
    }

    private static double tolerance(double expected) {
        return Math.max(1e-6, 1e-5 * Math.abs(expected));
    }

    private static double sum(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }
}
