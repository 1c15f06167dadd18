package io.pgmlsidecar.ml.tabular;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tree ensembles and XGBoost in format 3: models stored as format 2 re-store as format 3 and answer
 * exactly the same; a 100-tree random forest on digits stays compact and loads fast.
 */
class TreeModelsStoredFormTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"classification-ada_boost", "classification-bagging", "classification-extra_trees",
            "classification-gradient_boosting_trees", "classification-hist_gradient_boosting", "classification-random_forest",
            "classification-text-features-random_forest", "classification-text-features-xgboost", "classification-xgboost",
            "classification-xgboost_random_forest", "regression-ada_boost", "regression-bagging", "regression-extra_trees",
            "regression-gradient_boosting_trees", "regression-hist_gradient_boosting", "regression-random_forest",
            "regression-xgboost", "regression-xgboost_random_forest"})
    void formatTwoModelsRestoreAsFormatThreeUnchanged(String fixture) throws IOException, URISyntaxException {
        Path dir = StoredModelFixturesTest.fixturesRoot().resolve("format2");
        JsonNode expected = JSON.readTree(dir.resolve(fixture + ".expected.json").toFile());
        TabularModel old = TabularModel.fromBytes(Files.readAllBytes(dir.resolve(fixture + ".model")));
        byte[] stored = old.toBytes();
        TabularModel back = TabularModel.fromBytes(stored);
        Object[][] rows = StoredModelFixturesTest.rows(expected.get("inputs"));
        JsonNode before = JSON.valueToTree(StoredModelFixtures.answers(old, rows));
        JsonNode after = JSON.valueToTree(StoredModelFixtures.answers(back, rows));
        assertEquals(before, after, fixture);
        // a model read from format 3 writes the same bytes again
        byte[] again = back.toBytes();
        org.junit.jupiter.api.Assertions.assertArrayEquals(again, TabularModel.fromBytes(again).toBytes(), fixture);
    }

    @Test
    void aHundredTreeForestOnDigitsIsCompact() {
        Dataset d = Toy.get("digits", "target");
        TabularModel m = TabularTrainer.train(d, TrainRequest.builder(Task.CLASSIFICATION).algorithm("random_forest")
                .hyperparams(Map.of("n_estimators", 100)).build()).model();
        byte[] bytes = m.toBytes();
        TabularModel back = null;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            back = TabularModel.fromBytes(bytes);
            best = Math.min(best, System.nanoTime() - t0);
        }
        long t0 = System.nanoTime();
        byte[] again = back.toBytes();
        long write = System.nanoTime() - t0;
        byte[] legacy = formatTwo(m);
        long bestLegacy = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t1 = System.nanoTime();
            TabularModel.fromBytes(legacy);
            bestLegacy = Math.min(bestLegacy, System.nanoTime() - t1);
        }
        System.out.printf("random_forest, 100 trees (%,d nodes), digits: format 3 %,d bytes, load %.1f ms (best of 5), store %.1f ms;"
                + " format 2 (Java serialisation) %,d bytes, load %.1f ms%n", nodes(m), bytes.length, best / 1e6, write / 1e6,
                legacy.length, bestLegacy / 1e6);
        org.junit.jupiter.api.Assertions.assertArrayEquals(bytes, again);
        assertTrue(bytes.length < 4_000_000, bytes.length + " bytes");
        double[][] x = new double[50][];
        for (int i = 0; i < x.length; i++) {
            x[i] = new double[d.columns().size()];
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] = d.columns().get(j).value(i * 7);
            }
        }
        double[][] p = m.predictProba(x);
        double[][] q = back.predictProba(x);
        for (int i = 0; i < x.length; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(p[i], q[i], 0.0);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(m.predict(x), back.predict(x), 0.0);
    }

    /** The bytes a build before format 3 stored: the format-2 header, then the Java-serialised model in deflated parts. */
    static byte[] formatTwo(TabularModel m) {
        try {
            java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
            try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(raw)) {
                out.writeObject(m);
            }
            byte[] serialised = raw.toByteArray();
            java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
            bos.write(TabularModel.MAGIC_CHUNKED);
            ChunkedDeflate.write(serialised, ChunkedDeflate.parts(serialised.length), new java.io.DataOutputStream(bos));
            return bos.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long nodes(TabularModel m) {
        try {
            java.lang.reflect.Field f = m.estimator().getClass().getDeclaredField("trees");
            f.setAccessible(true);
            long total = 0;
            for (io.pgmlsidecar.ml.tabular.algorithms.DecisionTree t : (io.pgmlsidecar.ml.tabular.algorithms.DecisionTree[]) f.get(m.estimator())) {
                total += t.nodeCount();
            }
            return total;
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    @Test
    void aDamagedTreeIsRefusedNotLooped() throws IOException {
        io.pgmlsidecar.ml.tabular.algorithms.DecisionTree good = tree(new int[]{0, -1, -1}, new int[]{1, -1, -1}, new int[]{2, -1, -1}, new double[]{1, 2});
        assertEquals(2.0, good.predictValue(new double[]{0.7}));
        assertEquals(1.0, good.predictValue(new double[]{0.5}));
        for (int[][] bad : new int[][][]{{{0, -1, -1}, {0, -1, -1}, {2, -1, -1}}, {{0, -1, -1}, {1, -1, -1}, {3, -1, -1}}}) {
            TabularException e = org.junit.jupiter.api.Assertions.assertThrows(TabularException.class,
                    () -> tree(bad[0], bad[1], bad[2], new double[]{1, 2}));
            assertTrue(e.getMessage().contains("children outside the tree"), e.getMessage());
        }
        TabularException few = org.junit.jupiter.api.Assertions.assertThrows(TabularException.class,
                () -> tree(new int[]{0, -1, -1}, new int[]{1, -1, -1}, new int[]{2, -1, -1}, new double[]{1}));
        assertTrue(few.getMessage().contains("fewer leaf values"), few.getMessage());
    }

    private static io.pgmlsidecar.ml.tabular.algorithms.DecisionTree tree(int[] feature, int[] left, int[] right, double[] value)
            throws IOException {
        byte[] doc = io.pgmlsidecar.ml.tabular.store.StoredDocument.write(w -> w.put("num_classes", 0).put("feature", feature)
                .put("threshold", new double[]{0.6, 0, 0}).put("left", left).put("right", right).put("value", value));
        return io.pgmlsidecar.ml.tabular.algorithms.DecisionTree.readState(
                io.pgmlsidecar.ml.tabular.store.StoredDocument.read(new java.io.ByteArrayInputStream(doc), "a tree"));
    }
}
