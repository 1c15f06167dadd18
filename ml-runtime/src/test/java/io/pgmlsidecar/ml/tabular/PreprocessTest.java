package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.ml.tabular.preprocess.PreprocessSpec;
import io.pgmlsidecar.ml.tabular.preprocess.Preprocessor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreprocessTest {

    /** num: 1, 2, NULL, 4, 100; color: red, blue, NULL, red, green; y = 1..5 */
    static Dataset data() {
        var b = Dataset.builder(List.of(FeatureColumn.numeric("num"), FeatureColumn.categorical("color")), "y");
        Object[][] rows = {{1, "red"}, {2, "blue"}, {null, null}, {4, "red"}, {100, "green"}};
        for (int i = 0; i < rows.length; i++) {
            b.addRow(rows[i], (double) (i + 1));
        }
        return b.build();
    }

    private static final int[] TRAIN = {0, 1, 2, 3};
    private static final double[] Y = {1, 2, 3, 4, 5};

    @Test
    void imputeStrategiesUseTrainingRowsOnly() {
        Dataset d = data();
        for (Object[] c : new Object[][]{{"mean", 7.0 / 3}, {"median", 2.0}, {"min", 1.0}, {"max", 4.0}, {"zero", 0.0}, {"mode", 1.0}}) {
            Preprocessor p = Preprocessor.fit(d, TRAIN, Y, PreprocessSpec.parse("{\"num\": {\"impute\": \"" + c[0] + "\"}, \"color\": {\"impute\": \"mode\"}}"));
            assertEquals((double) c[1], p.transform(d, new int[]{2})[0][0], 1e-12, (String) c[0]);
            assertEquals(100.0, p.transform(d, new int[]{4})[0][0]);
            assertEquals(1.0, p.transform(d, new int[]{4})[0][1], "unseen 'green' imputed with the mode code (red)");
        }
    }

    @Test
    void missingValuesWithoutImputeAreAnError() {
        TabularException e = assertThrows(TabularException.class, () -> Preprocessor.fit(data(), TRAIN, Y, PreprocessSpec.NONE));
        assertTrue(e.getMessage().contains("\"num\" contains NULL"), e.getMessage());
        assertTrue(e.hint().contains("impute"), e.hint());
    }

    @Test
    void nativeCodesByFirstAppearanceNullIsZero() {
        Preprocessor p = Preprocessor.fit(data(), TRAIN, Y, PreprocessSpec.parse("{\"num\": {\"impute\": \"zero\"}}"));
        double[][] x = p.transform(data(), new int[]{0, 1, 2, 3});
        assertArrayEquals(new double[]{1, 2, 0, 1}, Arrays.stream(x).mapToDouble(r -> r[1]).toArray());
        // green was not in the training rows: unseen → error without an impute rule
        TabularException e = assertThrows(TabularException.class, () -> p.transform(data(), new int[]{4}));
        assertTrue(e.getMessage().contains("green"), e.getMessage());
    }

    @Test
    void oneHotTargetOrdinal() {
        Dataset d = data();
        Preprocessor oh = Preprocessor.fit(d, TRAIN, Y, PreprocessSpec.parse("{\"num\": {\"impute\": \"zero\"}, \"color\": {\"encode\": \"one_hot\"}}"));
        assertEquals(List.of("num", "color=red", "color=blue"), oh.outputNames());
        assertArrayEquals(new double[]{1, 1, 0}, oh.transform(d, new int[]{0})[0]);
        assertArrayEquals(new double[]{0, 0, 0}, oh.transform(d, new int[]{2})[0]);

        Preprocessor tg = Preprocessor.fit(d, TRAIN, Y, PreprocessSpec.parse("{\"num\": {\"impute\": \"zero\"}, \"color\": {\"encode\": \"target\"}}"));
        assertEquals(2.5, tg.transform(d, new int[]{0})[0][1], 1e-12); // red: rows 1 and 4 → (1 + 4) / 2
        assertEquals(2.0, tg.transform(d, new int[]{1})[0][1], 1e-12);

        Preprocessor ord = Preprocessor.fit(d, new int[]{0, 1, 3, 4}, Y,
                PreprocessSpec.parse("{\"color\": {\"encode\": {\"ordinal\": [\"blue\", \"green\", \"red\"]}}}"));
        assertEquals(3.0, ord.transform(d, new int[]{0})[0][1]);
        assertEquals(2.0, ord.transform(d, new int[]{4})[0][1]);
        assertThrows(TabularException.class, () -> Preprocessor.fit(d, new int[]{0, 1, 3, 4}, Y,
                PreprocessSpec.parse("{\"color\": {\"encode\": {\"ordinal\": [\"blue\", \"red\"]}}}")));
    }

    @Test
    void scalers() {
        var b = Dataset.builder(List.of(FeatureColumn.numeric("v")), "y");
        double[] v = {1, 2, 3, 4, 10};
        for (double x : v) {
            b.addRow(new Object[]{x}, 0.0);
        }
        Dataset d = b.build();
        int[] all = {0, 1, 2, 3, 4};
        double[] std = col(Preprocessor.fit(d, all, null, PreprocessSpec.parse("{\"v\": {\"scale\": \"standard\"}}")).transform(d, all));
        assertEquals(0.0, Arrays.stream(std).average().orElseThrow(), 1e-12);
        assertEquals(1.0, Math.sqrt(Arrays.stream(std).map(x -> x * x).average().orElseThrow()), 1e-12);
        assertArrayEquals(new double[]{0, 1.0 / 9, 2.0 / 9, 3.0 / 9, 1}, col(Preprocessor.fit(d, all, null,
                PreprocessSpec.parse("{\"v\": {\"scale\": \"min_max\"}}")).transform(d, all)), 1e-12);
        assertArrayEquals(new double[]{0.1, 0.2, 0.3, 0.4, 1}, col(Preprocessor.fit(d, all, null,
                PreprocessSpec.parse("{\"v\": {\"scale\": \"max_abs\"}}")).transform(d, all)), 1e-12);
        // robust: (x − median 3) / IQR (p75 4 − p25 2)
        assertArrayEquals(new double[]{-1, -0.5, 0, 0.5, 3.5}, col(Preprocessor.fit(d, all, null,
                PreprocessSpec.parse("{\"v\": {\"scale\": \"robust\"}}")).transform(d, all)), 1e-12);
    }

    private static double[] col(double[][] x) {
        return Arrays.stream(x).mapToDouble(r -> r[0]).toArray();
    }

    @Test
    @SuppressWarnings("unchecked")
    void snapshotColumnStatistics() {
        var cols = io.pgmlsidecar.ml.tabular.preprocess.ColumnStatistics.describe(data(), TRAIN,
                PreprocessSpec.parse("{\"num\": {\"impute\": \"mean\", \"scale\": \"standard\"}}"));
        assertEquals(3, cols.size());
        var num = cols.get(0);
        assertEquals("num", num.get("name"));
        assertEquals(true, num.get("nullable"));
        assertEquals(java.util.Map.of("encode", "native", "impute", "mean", "scale", "standard"), num.get("preprocessor"));
        var st = (java.util.Map<String, Object>) num.get("statistics");
        assertEquals(1.0, st.get("min"));
        assertEquals(4.0, st.get("max"));
        assertEquals(1, st.get("missing"));
        assertEquals(20, ((List<?>) st.get("histogram")).size());
        assertEquals(19, ((List<?>) st.get("ventiles")).size());
        var color = (java.util.Map<String, Object>) cols.get(1).get("statistics");
        assertEquals(2, color.get("distinct"));
        assertTrue(((java.util.Map<?, ?>) color.get("categories")).containsKey("__NULL__"));
        assertEquals(true, cols.get(2).get("label"));
        assertEquals(3, cols.get(2).get("position"));
    }

    @Test
    void badSpecsAreClearErrors() {
        assertThrows(TabularException.class, () -> PreprocessSpec.parse("{\"num\": {\"impute\": \"average\"}}"));
        assertThrows(TabularException.class, () -> PreprocessSpec.parse("{\"num\": {\"scaling\": \"standard\"}}"));
        assertThrows(TabularException.class, () -> PreprocessSpec.parse("[1, 2]"));
        TabularException e = assertThrows(TabularException.class,
                () -> Preprocessor.fit(data(), TRAIN, Y, PreprocessSpec.parse("{\"nope\": {\"impute\": \"mean\"}}")));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        assertThrows(TabularException.class,
                () -> Preprocessor.fit(data(), TRAIN, Y, PreprocessSpec.parse("{\"num\": {\"impute\": \"zero\"}, \"color\": {\"impute\": \"mean\"}}")));
    }

    @Test
    void trainsWithTextFeaturesAndPredictsRows() {
        var b = Dataset.builder(List.of(FeatureColumn.numeric("size"), FeatureColumn.categorical("shape")), "kind");
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < 120; i++) {
            String shape = i % 3 == 0 ? "round" : i % 3 == 1 ? "square" : null;
            double size = r.nextDouble() * 10;
            b.addRow(new Object[]{size, shape}, shape == null ? "unknown" : size > 5 ? "big " + shape : "small " + shape);
        }
        TrainResult t = TabularTrainer.train(b.build(), TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost")
                .hyperparams(java.util.Map.of("n_estimators", 30))
                .preprocess(PreprocessSpec.parse("{\"shape\": {\"encode\": \"one_hot\"}, \"size\": {\"impute\": \"mean\"}}")).build());
        TabularModel m = TabularModel.fromBytes(t.model().toBytes());
        Object[] labels = m.predictLabelsRows(new Object[][]{{8.0, "round"}, {1.0, "square"}, {null, null}});
        assertEquals("big round", labels[0]);
        assertEquals("small square", labels[1]);
        assertEquals("unknown", labels[2]);
        TabularException e = assertThrows(TabularException.class, () -> m.predict(new double[][]{{1, 2}}));
        assertTrue(e.getMessage().contains("text feature"), e.getMessage());
    }
}
