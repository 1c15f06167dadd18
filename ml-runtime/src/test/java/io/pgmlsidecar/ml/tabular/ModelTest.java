package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelTest {

    /** Iris with the species names as a text label. */
    static Dataset irisText() {
        var t = PgmlDatasets.load("iris", null);
        String[] names = {"setosa", "versicolor", "virginica"};
        var b = Dataset.builder(List.of(FeatureColumn.numeric("sepal_length"), FeatureColumn.numeric("sepal_width"),
                FeatureColumn.numeric("petal_length"), FeatureColumn.numeric("petal_width")), "species");
        for (Object[] r : t.rows()) {
            b.addRow(Arrays.copyOf(r, 4), names[(Integer) r[4]]);
        }
        return b.build();
    }

    @Test
    void textLabelsRoundTrip() {
        TrainResult r = TabularTrainer.train(irisText(), TrainRequest.builder(Task.CLASSIFICATION).algorithm("random_forest")
                .hyperparams(Map.of("n_estimators", 25)).build());
        TabularModel m = TabularModel.fromBytes(r.model().toBytes());
        assertEquals(List.of("setosa", "versicolor", "virginica"), m.classes());
        double[][] x = {{5.1, 3.5, 1.4, 0.2}, {6.0, 2.9, 4.5, 1.5}, {7.7, 3.0, 6.1, 2.3}};
        assertArrayEquals(new Object[]{"setosa", "versicolor", "virginica"}, m.predictLabels(x));
        assertArrayEquals(new Object[]{"setosa", "versicolor", "virginica"}, m.predictLabelsRows(new Object[][]{
                {5.1f, 3.5f, 1.4f, 0.2f}, {6.0, 2.9, 4.5, 1.5}, {7.7, 3, 6.1, "2.3"}}));
        assertArrayEquals(new double[]{0, 1, 2}, m.predict(x), 0.0, "predict gives the class index for text labels");
    }

    @Test
    void predictProbaSumsToOneInClassOrder() {
        for (String alg : List.of("xgboost", "linear", "gradient_boosting_trees", "ada_boost", "extra_trees")) {
            TrainResult r = TabularTrainer.train(Toy.get("wine", "target"), TrainRequest.builder(Task.CLASSIFICATION).algorithm(alg)
                    .hyperparams(alg.equals("linear") || alg.equals("ada_boost") ? Map.of() : Map.of("n_estimators", 20)).build());
            TabularModel m = r.model();
            assertEquals(List.of(0.0, 1.0, 2.0), m.classes());
            double[][] x = new double[30][];
            Dataset d = Toy.get("wine", "target");
            for (int i = 0; i < 30; i++) {
                x[i] = new double[13];
                for (int j = 0; j < 13; j++) {
                    x[i][j] = d.columns().get(j).value(i * 5);
                }
            }
            double[][] p = m.predictProba(x);
            double[] pred = m.predict(x);
            for (int i = 0; i < x.length; i++) {
                assertEquals(3, p[i].length);
                assertEquals(1.0, Arrays.stream(p[i]).sum(), 1e-6, alg);
                int argmax = 0;
                for (int k = 1; k < 3; k++) {
                    if (p[i][k] > p[i][argmax]) {
                        argmax = k;
                    }
                }
                assertEquals(argmax, (int) pred[i], alg + " predict agrees with the most probable class");
            }
        }
    }

    @Test
    void booleanLabelsComeBackAsBooleans() {
        TrainResult r = TabularTrainer.train(Toy.get("breast_cancer", "malignant"), TrainRequest.builder(Task.CLASSIFICATION)
                .algorithm("xgboost").hyperparams(Map.of("n_estimators", 10)).build());
        Dataset d = Toy.get("breast_cancer", "malignant");
        double[] row = new double[30];
        for (int j = 0; j < 30; j++) {
            row[j] = d.columns().get(j).value(0);
        }
        assertEquals(Boolean.TRUE, r.model().predictLabels(new double[][]{row})[0]);
        assertEquals(1.0, r.model().predict(row));
    }

    @Test
    void predictErrorsAreClear() {
        TrainResult reg = TabularTrainer.train(Toy.get("diabetes", "target"), TrainRequest.builder(Task.REGRESSION).build());
        TabularException p = assertThrows(TabularException.class, () -> reg.model().predictProba(new double[][]{new double[10]}));
        assertTrue(p.getMessage().contains("You can't predict probabilities for a regression model"), p.getMessage());
        TabularException len = assertThrows(TabularException.class, () -> reg.model().predict(new double[][]{new double[3]}));
        assertTrue(len.getMessage().contains("expects 10 features, got 3"), len.getMessage());
        double[] nan = new double[10];
        nan[2] = Double.NaN;
        TabularException n = assertThrows(TabularException.class, () -> reg.model().predict(new double[][]{nan}));
        assertTrue(n.getMessage().contains("\"bmi\" is NULL or NaN"), n.getMessage());
        assertThrows(TabularException.class, () -> TabularModel.fromBytes("garbage".getBytes()));
        TrainResult svm = TabularTrainer.train(Toy.get("iris", "target"), TrainRequest.builder(Task.CLASSIFICATION).algorithm("svm").build());
        TabularException sp = assertThrows(TabularException.class, () -> svm.model().predictProba(new double[][]{new double[4]}));
        assertTrue(sp.hint().contains("probability"), sp.hint());
    }

    @Test
    void digitsArrayColumnAndSerializationRoundTrip() {
        Dataset d = Toy.get("digits", "target");
        TrainResult r = TabularTrainer.train(d, TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost")
                .hyperparams(Map.of("n_estimators", 15, "max_depth", 4)).build());
        byte[] bytes = r.model().toBytes();
        TabularModel back = TabularModel.fromBytes(bytes);
        var rows = PgmlDatasets.load("digits", 50L).rows();
        Object[][] in = rows.stream().map(o -> new Object[]{o[0]}).toArray(Object[][]::new);
        assertArrayEquals(r.model().predictRows(in), back.predictRows(in), 0.0);
        double[][] proba = back.predictProbaRows(in);
        double[][] proba0 = r.model().predictProbaRows(in);
        for (int i = 0; i < proba.length; i++) {
            assertArrayEquals(proba0[i], proba[i], 0.0);
        }
        TabularException bad = assertThrows(TabularException.class, () -> back.predictRows(new Object[][]{{new short[3][3]}}));
        assertTrue(bad.getMessage().contains("has 9 elements; the model was trained with 64"), bad.getMessage());
        System.out.println("digits xgboost (15 trees × 10 classes) model bytes: " + bytes.length);
    }

    @Test
    void modelsStoredInTheFirstFormatStillLoad() throws Exception {
        TrainResult r = TabularTrainer.train(Toy.get("iris", "target"), TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost")
                .hyperparams(Map.of("n_estimators", 5)).build());
        // version 1: the magic line, then one deflate stream of the serialised model
        java.io.ByteArrayOutputStream v1 = new java.io.ByteArrayOutputStream();
        v1.write(TabularModel.MAGIC);
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(new java.util.zip.DeflaterOutputStream(v1))) {
            out.writeObject(r.model());
        }
        double[][] x = {{5.1, 3.5, 1.4, 0.2}, {6.7, 3.0, 5.2, 2.3}};
        assertArrayEquals(r.model().predict(x), TabularModel.fromBytes(v1.toByteArray()).predict(x), 0.0);
        byte[] current = r.model().toBytes();
        assertArrayEquals(TabularModel.MAGIC_DOCUMENT, Arrays.copyOf(current, TabularModel.MAGIC_DOCUMENT.length));
        assertArrayEquals(r.model().predict(x), TabularModel.fromBytes(current).predict(x), 0.0);
    }

    @Test
    void progressAndCancel() {
        List<ProgressEvent> events = new ArrayList<>();
        TabularTrainer.train(Toy.get("iris", "target"), TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost")
                .hyperparams(Map.of("n_estimators", 50)).build(), new FitContext(events::add, () -> false, 0));
        assertTrue(events.stream().anyMatch(e -> e.phase().equals("split")));
        assertTrue(events.stream().anyMatch(e -> e.phase().equals("fit") && e.step() == 50 && e.total() == 50));
        assertTrue(events.stream().anyMatch(e -> e.phase().equals("done")));

        for (String alg : List.of("xgboost", "gradient_boosting_trees", "stochastic_gradient_descent", "random_forest")) {
            AtomicInteger rounds = new AtomicInteger();
            FitContext ctx = new FitContext(e -> {
                if (e.step() > 0) {
                    rounds.incrementAndGet();
                }
            }, () -> rounds.get() >= 3, 0);
            assertThrows(TrainingCancelledException.class, () -> TabularTrainer.train(Toy.get("iris", "target"),
                    TrainRequest.builder(Task.CLASSIFICATION).algorithm(alg).hyperparams(Map.of()).build(), ctx), alg);
            assertTrue(rounds.get() < 10, alg + " stopped soon after the cancel: " + rounds.get());
        }
    }

    @Test
    void autoDeployRule() {
        assertTrue(TabularTrainer.shouldDeploy(Task.REGRESSION, null, Map.of("r2", 0.1)));
        assertTrue(TabularTrainer.shouldDeploy(Task.REGRESSION, Map.of("r2", -0.5), Map.of("r2", -0.25)), "numeric, not text, comparison");
        assertTrue(TabularTrainer.shouldDeploy(Task.REGRESSION, Map.of("r2", 0.5), Map.of("r2", 0.5)), "ties deploy");
        assertTrue(!TabularTrainer.shouldDeploy(Task.CLASSIFICATION, Map.of("f1", 0.9), Map.of("f1", 0.8)));
        assertTrue(!TabularTrainer.shouldDeploy(Task.CLASSIFICATION, Map.of("f1", 0.9), Map.of()));
        assertTrue(TabularTrainer.shouldDeploy(Task.CLASSIFICATION, Map.of(), Map.of()));
    }
}
