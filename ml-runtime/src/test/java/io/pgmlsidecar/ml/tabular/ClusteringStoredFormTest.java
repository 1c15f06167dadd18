package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Clusterers and pca through the format-3 stored form: the stored type, and predictions bit for bit. */
class ClusteringStoredFormTest {

    private static Dataset blobs() {
        double[][] x = ClusteringTest.blobs(40, 1);
        var b = Dataset.builder(List.of(FeatureColumn.numeric("a"), FeatureColumn.numeric("b")), null);
        for (double[] row : x) {
            b.addRow(new Object[]{row[0], row[1]}, null);
        }
        return b.build();
    }

    /** A grid over and beyond the blobs (outliers included), plus rows near the training ones. */
    private static double[][] probe() {
        double[][] near = ClusteringTest.blobs(30, 7);
        double[][] out = Arrays.copyOf(near, near.length + 41 * 41);
        int q = near.length;
        for (int i = 0; i <= 40; i++) {
            for (int j = 0; j <= 40; j++) {
                out[q++] = new double[]{-25 + 1.25 * i, -15 + 1.0 * j};
            }
        }
        return out;
    }

    private static TabularModel roundTrip(Task task, String alg, Map<String, Object> h, String storedType) {
        TabularModel m = TabularTrainer.train(blobs(), TrainRequest.builder(task).algorithm(alg).hyperparams(h).build()).model();
        byte[] bytes = m.toBytes();
        TabularModel back = TabularModel.fromBytes(bytes);
        assertEquals(storedType, m.estimator().storedType(), alg);
        assertEquals(storedType, back.estimator().storedType(), alg);
        assertEquals(1, back.estimator().storedVersion(), alg);
        assertArrayEquals(bytes, back.toBytes(), alg + ": storing a loaded model changed its bytes");
        if (task == Task.CLUSTERING) {
            assertArrayEquals(m.predict(probe()), back.predict(probe()), 0.0, alg);
        }
        return back;
    }

    @Test
    void everyClustererPredictsTheSameAfterTheRoundTrip() {
        Map<String, Map<String, Object>> cases = new java.util.LinkedHashMap<>();
        cases.put("kmeans", Map.of("n_clusters", 3));
        cases.put("mini_batch_kmeans", Map.of("n_clusters", 4));
        cases.put("mean_shift", Map.of());
        cases.put("affinity_propagation", Map.of("preference", -50));
        cases.forEach((alg, h) -> roundTrip(Task.CLUSTERING, alg, h, "nearest_centroid"));
        roundTrip(Task.CLUSTERING, "dbscan", Map.of("eps", 1.5), "nearest_core_sample");
        roundTrip(Task.CLUSTERING, "birch", Map.of("n_clusters", 3), "nearest_subcluster");
        roundTrip(Task.CLUSTERING, "spectral", Map.of("n_clusters", 3, "gamma", 0.1), "nearest_training_row");
    }

    @Test
    void dbscanKeepsNoiseAndAModelWithoutCoreSamples() {
        TabularModel noisy = roundTrip(Task.CLUSTERING, "dbscan", Map.of("eps", 0.3, "min_samples", 3), "nearest_core_sample");
        assertTrue(Arrays.stream(noisy.predict(probe())).anyMatch(v -> v == -1));
        TabularModel none = roundTrip(Task.CLUSTERING, "dbscan", Map.of("eps", 0.01, "min_samples", 50), "nearest_core_sample");
        assertTrue(Arrays.stream(none.predict(probe())).allMatch(v -> v == -1));
    }

    @Test
    void birchWithoutAFinalStepKeepsEverySubcluster() {
        Map<String, Object> h = new HashMap<>();
        h.put("n_clusters", "none"); // (a Java null here falls back to the default 3: Params.get treats null as absent)
        h.put("threshold", 0.3);
        TabularModel back = roundTrip(Task.CLUSTERING, "birch", h, "nearest_subcluster");
        assertTrue(Arrays.stream(back.predict(probe())).distinct().count() > 3);
    }

    @Test
    void pcaTransformsAndExplainsTheSame() {
        for (Map<String, Object> h : List.<Map<String, Object>>of(Map.of(), Map.of("whiten", true), Map.of("n_components", 1, "whiten", true))) {
            TabularModel m = TabularTrainer.train(blobs(), TrainRequest.builder(Task.DECOMPOSITION).algorithm("pca").hyperparams(h).build()).model();
            TabularModel back = roundTrip(Task.DECOMPOSITION, "pca", h, "principal_components");
            double[][] a = m.transform(probe());
            double[][] b = back.transform(probe());
            for (int i = 0; i < a.length; i++) {
                assertArrayEquals(a[i], b[i], 0.0, h.toString());
            }
            assertArrayEquals(m.estimator().explainedVarianceRatio(), back.estimator().explainedVarianceRatio(), 0.0);
        }
    }
}
