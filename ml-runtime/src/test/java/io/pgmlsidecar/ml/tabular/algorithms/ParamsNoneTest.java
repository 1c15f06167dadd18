package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.TabularTrainer;
import io.pgmlsidecar.ml.tabular.Task;
import io.pgmlsidecar.ml.tabular.TrainRequest;
import io.pgmlsidecar.ml.tabular.TrainResult;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON null is scikit-learn's None, which is not always the default. */
class ParamsNoneTest {

    private static Map<String, Object> withNull(String key) {
        Map<String, Object> m = new HashMap<>();
        m.put(key, null);
        return m;
    }

    @Test
    void nullIsNoneWhereNoneDiffersFromTheDefault() {
        assertEquals(3, new Params("birch", Map.of()).optInt("n_clusters", 3));
        assertNull(new Params("birch", withNull("n_clusters")).optInt("n_clusters", 3));
        assertEquals("sqrt", new Params("random_forest", Map.of()).any("max_features", "sqrt"));
        assertNull(new Params("random_forest", withNull("max_features")).any("max_features", "sqrt"));
        assertEquals("none", new Params("sgd", withNull("penalty")).str("penalty", "l2", "l2", "l1", "elasticnet", "none"));
    }

    @Test
    void nullIsRefusedWhereScikitLearnRefusesNone() {
        TabularException e = assertThrows(TabularException.class, () -> new Params("ridge", withNull("alpha")).dbl("alpha", 1.0));
        assertTrue(e.getMessage().contains("alpha") && e.getMessage().contains("None"), e.getMessage());
        assertTrue(e.hint() != null && e.hint().contains("leave alpha out"), e.hint());
        assertThrows(TabularException.class, () -> new Params("svm", withNull("kernel")).str("kernel", "rbf", "rbf", "linear"));
        assertThrows(TabularException.class, () -> new Params("svm", withNull("shrinking")).bool("shrinking", true));
        // an alias given as null is refused too, not skipped in favour of the default
        assertThrows(TabularException.class, () -> new Params("x", withNull("n_estimators")).integer("n_estimators", 100));
    }

    @Test
    void birchWithNullClustersKeepsEverySubcluster() {
        double[][] centers = {{0, 0}, {10, 10}, {-10, 10}};
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        var b = Dataset.builder(List.of(FeatureColumn.numeric("a"), FeatureColumn.numeric("b")), null);
        double[][] x = new double[150][];
        for (int i = 0; i < x.length; i++) {
            double[] c = centers[i % 3];
            x[i] = new double[]{c[0] + r.nextGaussian() * 2, c[1] + r.nextGaussian() * 2};
            b.addRow(new Object[]{x[i][0], x[i][1]}, null);
        }
        Dataset d = b.build();
        TrainResult grouped = TabularTrainer.train(d, TrainRequest.builder(Task.CLUSTERING).algorithm("birch").hyperparams(Map.of()).build());
        TrainResult kept = TabularTrainer.train(d, TrainRequest.builder(Task.CLUSTERING).algorithm("birch")
                .hyperparams(withNull("n_clusters")).build());
        long groupedLabels = Arrays.stream(grouped.model().predict(x)).distinct().count();
        long keptLabels = Arrays.stream(kept.model().predict(x)).distinct().count();
        assertEquals(3, groupedLabels);
        assertTrue(keptLabels > 3, "n_clusters null keeps every subcluster as its own cluster, got " + keptLabels);
    }

    @Test
    void xgboostAndLightgbmTakeNullAsTheirDefault() {
        // their Python wrappers drop None parameters before they reach the library
        Algorithms.create(Task.CLASSIFICATION, "xgboost", withNull("max_depth"), null);
        Algorithms.create(Task.CLASSIFICATION, "lightgbm", withNull("max_depth"), null);
    }
}
