package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.algorithms.Algorithms;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.ml.tabular.preprocess.PreprocessSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Awkward but legal data: every algorithm either trains or fails with a TabularException, never anything else. */
class EdgeCasesTest {

    /** 30 rows: a constant column, a duplicated column, negative fractional class labels. */
    static Dataset awkward(boolean classification) {
        var b = Dataset.builder(List.of(FeatureColumn.numeric("const"), FeatureColumn.numeric("a"), FeatureColumn.numeric("a_copy"),
                FeatureColumn.numeric("b")), "y");
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (int i = 0; i < 30; i++) {
            double a = r.nextDouble(-1, 1);
            double bb = r.nextDouble(-1, 1);
            Object y = classification ? (a + bb > 0 ? -1.5 : 2.25) : 3 * a - bb;
            b.addRow(new Object[]{7, a, a, bb}, y);
        }
        return b.build();
    }

    @Test
    void everyAlgorithmCopesWithConstantAndDuplicateColumns() {
        Algorithms.supported().forEach((task, names) -> {
            Dataset d = task == Task.CLASSIFICATION ? awkward(true) : awkward(false);
            for (String name : names) {
                Map<String, Object> h = task == Task.CLUSTERING && List.of("kmeans", "mini_batch_kmeans", "spectral").contains(name) ? Map.of("n_clusters", 2) : Map.of();
                try {
                    TrainResult r = TabularTrainer.train(d, TrainRequest.builder(task).algorithm(name).hyperparams(h).testSize(0.3).build());
                    TabularModel m = TabularModel.fromBytes(r.model().toBytes());
                    if (task != Task.DECOMPOSITION) {
                        double[] p = m.predict(new double[][]{{7, 0.5, 0.5, 0.2}});
                        assertTrue(Double.isFinite(p[0]), task + " " + name);
                        if (task == Task.CLASSIFICATION) {
                            assertTrue(p[0] == -1.5 || p[0] == 2.25, name + " predicts a label value: " + p[0]);
                        }
                    } else {
                        assertEquals(4, m.transform(new double[][]{{7, 0.5, 0.5, 0.2}})[0].length);
                    }
                } catch (TabularException e) {
                    System.out.println(task + " " + name + " refused: " + e.getMessage());
                }
            }
        });
    }

    @Test
    void testSizeZeroScoresOnTheTrainingRows() {
        TrainResult r = TabularTrainer.train(awkward(false), TrainRequest.builder(Task.REGRESSION).testSize(0).build());
        assertEquals(0, r.numTestRows());
        assertEquals(1.0, Toy.metric(r, "r2"), 1e-9);
    }

    @Test
    void clusteringNeedsEnoughRows() {
        var b = Dataset.builder(List.of(FeatureColumn.numeric("x")), null);
        b.addRow(new Object[]{1}, null).addRow(new Object[]{2}, null).addRow(new Object[]{3}, null);
        TabularException e = assertThrows(TabularException.class, () -> TabularTrainer.train(b.build(), TrainRequest.builder(Task.CLUSTERING).build()));
        assertTrue(e.getMessage().contains("fewer than n_clusters"), e.getMessage());
    }

    @Test
    void textLabelForRegressionAndMissingLabelAreErrors() {
        var b = Dataset.builder(List.of(FeatureColumn.numeric("x")), "y");
        for (int i = 0; i < 10; i++) {
            b.addRow(new Object[]{i}, i % 2 == 0 ? "even" : "odd");
        }
        Dataset d = b.build();
        TabularException e = assertThrows(TabularException.class, () -> TabularTrainer.train(d, TrainRequest.builder(Task.REGRESSION).build()));
        assertTrue(e.getMessage().contains("regression needs a numeric label"), e.getMessage());
        var nolabel = Dataset.builder(List.of(FeatureColumn.numeric("x")), null).addRow(new Object[]{1}, null).build();
        assertThrows(TabularException.class, () -> TabularTrainer.train(nolabel, TrainRequest.builder(Task.CLASSIFICATION).build()));
    }

    @Test
    void allNullTextColumnAndOneHot() {
        var b = Dataset.builder(List.of(FeatureColumn.numeric("x"), FeatureColumn.categorical("t")), "y");
        for (int i = 0; i < 20; i++) {
            b.addRow(new Object[]{i, null}, (double) i);
        }
        TrainResult r = TabularTrainer.train(b.build(), TrainRequest.builder(Task.REGRESSION)
                .preprocess(PreprocessSpec.parse("{\"t\": {\"encode\": \"one_hot\"}}")).build());
        assertEquals(1.0, Toy.metric(r, "r2"), 1e-9);
        assertEquals(5.0, r.model().predictRows(new Object[][]{{5, null}})[0], 1e-9);
    }
}
