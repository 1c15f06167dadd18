package io.pgmlsidecar.ml.tabular;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** algorithm => 'lightgbm' on the toy sets, with LightGBM's and LGBMRegressor's hyperparameter names. */
class LightgbmTest {

    private static TrainResult train(Task task, String dataset, String label, Map<String, Object> hyperparams) {
        return TabularTrainer.train(Toy.get(dataset, label), TrainRequest.builder(task).algorithm("lightgbm").hyperparams(hyperparams).build());
    }

    @Test
    void digitsMulticlassNextToXgboost() {
        TrainResult l = train(Task.CLASSIFICATION, "digits", "target", Map.of());
        TrainResult x = TabularTrainer.train(Toy.get("digits", "target"), TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost").build());
        System.out.printf("digits lightgbm accuracy %.4f fit %.3fs | xgboost accuracy %.4f fit %.3fs%n", Toy.metric(l, "accuracy"),
                Toy.metric(l, "fit_time"), Toy.metric(x, "accuracy"), Toy.metric(x, "fit_time"));
        assertTrue(Toy.metric(l, "accuracy") >= 0.95, l.metrics().toString());
        double[][] p = l.model().predictProba(new double[][]{new double[64]});
        assertEquals(10, p[0].length);
        assertEquals(1.0, Arrays.stream(p[0]).sum(), 1e-9);
    }

    @Test
    void breastCancerBinaryAndDiabetesRegression() {
        TrainResult b = train(Task.CLASSIFICATION, "breast_cancer", "malignant", Map.of("n_estimators", 50, "learning_rate", 0.1));
        System.out.println("breast_cancer lightgbm " + b.metrics());
        assertTrue(Toy.metric(b, "f1") >= 0.93, b.metrics().toString());
        TrainResult r = train(Task.REGRESSION, "diabetes", "target", Map.of("n_estimators", 100, "learning_rate", 0.05, "num_leaves", 8,
                "min_child_samples", 10, "subsample", 0.8, "subsample_freq", 1, "colsample_bytree", 0.8, "reg_lambda", 1.0, "random_state", 7));
        System.out.println("diabetes lightgbm " + r.metrics());
        assertTrue(Toy.metric(r, "r2") >= 0.3, r.metrics().toString());
    }

    @Test
    void storedAsLightgbmTextAndPredictsTheSameAfterLoading() {
        TrainResult r = train(Task.CLASSIFICATION, "iris", "target", Map.of("n_estimators", 20));
        TabularModel back = TabularModel.fromBytes(r.model().toBytes());
        double[][] x = {{5.1, 3.5, 1.4, 0.2}, {6.7, 3.0, 5.2, 2.3}, {5.9, 3.0, 4.2, 1.5}};
        assertArrayEquals(r.model().predict(x), back.predict(x), 0.0);
        for (int i = 0; i < x.length; i++) {
            assertArrayEquals(r.model().predictProba(x)[i], back.predictProba(x)[i], 0.0);
        }
        assertArrayEquals(new double[]{0, 2, 1}, back.predict(x), 0.0);
    }

    @Test
    void unknownHyperparametersAndGpuOnThisBuildAreClearErrors() {
        TabularException typo = assertThrows(TabularException.class,
                () -> train(Task.REGRESSION, "diabetes", "target", Map.of("num_leafs", 8)));
        assertTrue(typo.getMessage().contains("unknown hyperparameter \"num_leafs\""), typo.getMessage());
        TabularException bad = assertThrows(TabularException.class,
                () -> train(Task.REGRESSION, "diabetes", "target", Map.of("num_leaves", -3)));
        assertTrue(bad.getMessage().startsWith("LightGBM failed"), bad.getMessage());
        TabularException gpu = assertThrows(TabularException.class,
                () -> train(Task.REGRESSION, "diabetes", "target", Map.of("device_type", "cuda")));
        assertTrue(gpu.hint().contains("built for CPUs"), gpu.getMessage() + " / " + gpu.hint());
    }
}
