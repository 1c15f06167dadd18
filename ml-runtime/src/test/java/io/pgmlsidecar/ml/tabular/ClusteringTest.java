package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusteringTest {

    static final double[][] CENTERS = {{0, 0}, {10, 10}, {-10, 10}};

    static double[][] blobs(int perBlob, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        double[][] x = new double[perBlob * 3][];
        for (int i = 0; i < x.length; i++) {
            double[] c = CENTERS[i % 3];
            x[i] = new double[]{c[0] + r.nextGaussian() * 0.5, c[1] + r.nextGaussian() * 0.5};
        }
        return x;
    }

    @Test
    void everyClustererSeparatesThreeBlobs() {
        double[][] x = blobs(40, 1);
        var b = Dataset.builder(List.of(FeatureColumn.numeric("a"), FeatureColumn.numeric("b")), null);
        for (double[] row : x) {
            b.addRow(new Object[]{row[0], row[1]}, null);
        }
        Dataset d = b.build();
        double[][] probe = blobs(10, 2);
        for (String alg : List.of("kmeans", "mini_batch_kmeans", "dbscan", "mean_shift", "affinity_propagation", "birch", "spectral")) {
            Map<String, Object> h = switch (alg) {
                case "kmeans", "mini_batch_kmeans", "birch" -> Map.of("n_clusters", 3);
                case "spectral" -> Map.of("n_clusters", 3, "gamma", 0.1);
                case "dbscan" -> Map.of("eps", 1.5);
                // with the median preference AP oscillates on such separated blobs (scikit-learn's own demo sets -50)
                case "affinity_propagation" -> Map.of("preference", -50);
                default -> Map.of();
            };
            TrainResult r = TabularTrainer.train(d, TrainRequest.builder(Task.CLUSTERING).algorithm(alg).hyperparams(h).build());
            double[] p = r.model().predict(probe);
            Map<Integer, Set<Integer>> blobsPerCluster = new HashMap<>();
            Map<Integer, Set<Integer>> clustersPerBlob = new HashMap<>();
            for (int i = 0; i < p.length; i++) {
                blobsPerCluster.computeIfAbsent((int) p[i], k -> new HashSet<>()).add(i % 3);
                clustersPerBlob.computeIfAbsent(i % 3, k -> new HashSet<>()).add((int) p[i]);
            }
            System.out.println(alg + " " + r.metrics() + " clusters " + blobsPerCluster.keySet());
            blobsPerCluster.forEach((c, blobs) -> assertEquals(1, blobs.size(), alg + ": cluster " + c + " mixes blobs"));
            clustersPerBlob.forEach((blob, cs) -> assertEquals(1, cs.size(), alg + ": blob " + blob + " split"));
            assertTrue(Toy.metric(r, "silhouette") > 0.8, alg);
            assertArrayEquals(p, TabularModel.fromBytes(r.model().toBytes()).predict(probe), 0.0);
        }
    }
}
