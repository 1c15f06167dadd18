package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pgml.train_joint / predict_joint on linnerud (PostgresML's joint_regression example). */
class JointRegressionTest {

    @Test
    void linnerudJoint() {
        Dataset d = PgmlDatasets.toDataset(PgmlDatasets.load("linnerud", null), List.of("weight", "waist", "pulse"));
        assertEquals(3, d.numTargets());
        for (String alg : List.of("linear", "ridge", "xgboost", "random_forest")) {
            TrainResult r = TabularTrainer.train(d, TrainRequest.builder(Task.REGRESSION).algorithm(alg)
                    .hyperparams(alg.equals("xgboost") || alg.equals("random_forest") ? Map.of("n_estimators", 10) : Map.of()).build());
            TabularModel m = TabularModel.fromBytes(r.model().toBytes());
            assertEquals(3, m.numTargets());
            assertEquals(List.of("weight", "waist", "pulse"), m.labelNames());
            assertTrue(r.metrics().containsKey("r2") && r.metrics().containsKey("mean_squared_error"), alg);
            double[][] x = {{5, 162, 60}, {12, 105, 37}};
            double[][] p = m.predictJoint(x);
            assertEquals(2, p.length);
            assertEquals(3, p[0].length);
            assertArrayEquals(r.model().predictJoint(x)[1], p[1], 0.0);
            for (double[] row : p) {
                assertTrue(row[0] > 100 && row[0] < 250 && row[1] > 25 && row[1] < 50 && row[2] > 30 && row[2] < 90, alg + " plausible");
            }
            TabularException e = assertThrows(TabularException.class, () -> m.predict(x));
            assertTrue(e.getMessage().contains("predict_joint"), e.getMessage());
        }
        TabularException cls = assertThrows(TabularException.class,
                () -> TabularTrainer.train(d, TrainRequest.builder(Task.CLASSIFICATION).build()));
        assertTrue(cls.getMessage().contains("regression only"), cls.getMessage());
    }

    @Test
    void singleTargetModelsAnswerPredictJointToo() {
        TrainResult r = TabularTrainer.train(Toy.get("diabetes", "target"), TrainRequest.builder(Task.REGRESSION).build());
        double[][] x = {new double[10]};
        assertEquals(r.model().predict(x)[0], r.model().predictJoint(x)[0][0]);
        TrainResult c = TabularTrainer.train(Toy.get("iris", "target"), TrainRequest.builder(Task.CLASSIFICATION).build());
        assertThrows(TabularException.class, () -> c.model().predictJoint(new double[][]{new double[4]}));
    }
}
