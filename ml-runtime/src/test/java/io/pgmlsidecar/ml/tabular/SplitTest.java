package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.ml.tabular.split.Split;
import io.pgmlsidecar.ml.tabular.split.Splitter;
import io.pgmlsidecar.ml.tabular.split.TestSampling;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitTest {

    /** 100 × "a", 50 × "b", 10 × "c", in that order (so a tail split would miss classes). */
    static Dataset imbalanced() {
        var b = Dataset.builder(List.of(FeatureColumn.numeric("x")), "y");
        int i = 0;
        for (String cls : new String[]{"a", "b", "c"}) {
            int count = cls.equals("a") ? 100 : cls.equals("b") ? 50 : 10;
            for (int k = 0; k < count; k++) {
                b.addRow(new Object[]{i++}, cls);
            }
        }
        return b.build();
    }

    private static Map<String, Integer> counts(Dataset d, int[] rows) {
        Map<String, Integer> m = new HashMap<>();
        for (int r : rows) {
            m.merge(d.labelKey(r), 1, Integer::sum);
        }
        return m;
    }

    @Test
    void stratifiedKeepsClassProportions() {
        Dataset d = imbalanced();
        Split s = Splitter.split(d, Task.CLASSIFICATION, 0.2, TestSampling.STRATIFIED, 1);
        assertEquals(32, s.numTest());
        assertEquals(Map.of("a", 20, "b", 10, "c", 2), counts(d, s.test()));
        assertEquals(Map.of("a", 80, "b", 40, "c", 8), counts(d, s.train()));
        // deterministic per seed, different across seeds
        assertArrayEquals(s.test(), Splitter.split(d, Task.CLASSIFICATION, 0.2, TestSampling.STRATIFIED, 1).test());
        assertFalse(Arrays.equals(s.test(), Splitter.split(d, Task.CLASSIFICATION, 0.2, TestSampling.STRATIFIED, 2).test()));
    }

    @Test
    void stratifiedGivesRareClassesATrainAndATestRow() {
        var b = Dataset.builder(List.of(FeatureColumn.numeric("x")), "y");
        for (int k = 0; k < 40; k++) {
            b.addRow(new Object[]{k}, "common");
        }
        b.addRow(new Object[]{100}, "rare");
        b.addRow(new Object[]{101}, "rare");
        Dataset d = b.build();
        Split s = Splitter.split(d, Task.CLASSIFICATION, 0.1, TestSampling.STRATIFIED, 3);
        assertEquals(Map.of("common", 3, "rare", 1), counts(d, s.test()));
        assertEquals(1, counts(d, s.train()).get("rare"));
    }

    @Test
    void testSizeAsARowCountAndLastSampling() {
        Dataset d = imbalanced();
        Split s = Splitter.split(d, Task.CLASSIFICATION, 16, TestSampling.LAST, 0);
        assertEquals(16, s.numTest());
        assertEquals(144, s.test()[0]);
        assertEquals(159, s.test()[15]);
        assertThrows(TabularException.class, () -> Splitter.split(d, Task.CLASSIFICATION, 16.5, TestSampling.LAST, 0));
        assertEquals(40, Splitter.split(d, Task.CLASSIFICATION, 0.25, TestSampling.RANDOM, 0).numTest());
    }

    @Test
    void regressionStratifiesByLabelQuantiles() {
        Dataset d = Toy.get("diabetes", "target");
        Split s = Splitter.split(d, Task.REGRESSION, 0.25, TestSampling.STRATIFIED, 5);
        assertEquals(111, s.numTest());
        double[] test = Arrays.stream(s.test()).mapToDouble(d::numericLabel).sorted().toArray();
        double[] all = java.util.stream.IntStream.range(0, d.numRows()).mapToDouble(d::numericLabel).sorted().toArray();
        assertEquals(all[all.length / 2], test[test.length / 2], 25, "test median close to the overall median");
    }

    @Test
    void clearErrorsForTinyData() {
        var one = Dataset.builder(List.of(FeatureColumn.numeric("x")), "y");
        one.addRow(new Object[]{1}, 1.0);
        TabularException e = assertThrows(TabularException.class,
                () -> TabularTrainer.train(one.build(), TrainRequest.builder(Task.REGRESSION).build()));
        assertTrue(e.getMessage().contains("no rows to train on") || e.getMessage().contains("only 1 row"), e.getMessage());

        var two = Dataset.builder(List.of(FeatureColumn.numeric("x")), "y");
        two.addRow(new Object[]{1}, "a").addRow(new Object[]{2}, "b");
        TabularException e2 = assertThrows(TabularException.class,
                () -> TabularTrainer.train(two.build(), TrainRequest.builder(Task.CLASSIFICATION).testSampling(TestSampling.LAST).build()));
        assertTrue(e2.getMessage().contains("class b") && e2.getMessage().contains("no rows in the training split"), e2.getMessage());

        var single = Dataset.builder(List.of(FeatureColumn.numeric("x")), "y");
        for (int i = 0; i < 10; i++) {
            single.addRow(new Object[]{i}, "same");
        }
        TabularException e3 = assertThrows(TabularException.class,
                () -> TabularTrainer.train(single.build(), TrainRequest.builder(Task.CLASSIFICATION).build()));
        assertTrue(e3.getMessage().contains("only one class"), e3.getMessage());

        TabularException e4 = assertThrows(TabularException.class,
                () -> TabularTrainer.train(imbalanced(), TrainRequest.builder(Task.CLASSIFICATION).testSize(160).build()));
        assertTrue(e4.getMessage().contains("leaves no rows to train on"), e4.getMessage());

        var empty = Dataset.builder(List.of(FeatureColumn.numeric("x")), "y").build();
        assertThrows(TabularException.class, () -> TabularTrainer.train(empty, TrainRequest.builder(Task.REGRESSION).build()));

        var nullLabel = Dataset.builder(List.of(FeatureColumn.numeric("x")), "y");
        TabularException e5 = assertThrows(TabularException.class, () -> nullLabel.addRow(new Object[]{1}, null));
        assertTrue(e5.getMessage().contains("NULL") && e5.hint().contains("IS NOT NULL"), e5.getMessage());
    }

    @Test
    void tinyButValidDataTrains() {
        var b = Dataset.builder(List.of(FeatureColumn.numeric("x")), "y");
        b.addRow(new Object[]{0}, "a").addRow(new Object[]{1}, "a").addRow(new Object[]{10}, "b").addRow(new Object[]{11}, "b");
        TrainResult r = TabularTrainer.train(b.build(), TrainRequest.builder(Task.CLASSIFICATION).algorithm("random_forest")
                .hyperparams(Map.of("n_estimators", 5)).testSize(0.5).build());
        assertEquals(2, r.numTestRows());
        assertEquals(List.of("a", "b"), r.model().classes());
    }
}
