package io.pgmlsidecar.ml.tabular.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmlsidecar.ml.tabular.TabularException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SklearnMetricsTest {

    @Test
    void binaryScoresAreThoseOfLabelOne() {
        double[] y = {0, 1, 1, 0};
        double[] p = {0, 1, 0, 0};
        // tp 1, fp 0, fn 1, tn 2
        assertEquals(2.0 / 3, SklearnMetrics.f1Binary(y, p), 1e-12);
        Map<String, Double> m = SklearnMetrics.classification(y, p);
        assertEquals(2.0 / 3, m.get("f1"), 1e-12);
        assertEquals(1.0, m.get("precision"), 1e-12);
        assertEquals(0.5, m.get("recall"), 1e-12);
        assertEquals(0.75, m.get("accuracy"), 1e-12);
        assertEquals(0.75, m.get("f1_micro"), 1e-12);
        assertEquals(2 / Math.sqrt(12), m.get("mcc"), 1e-12);
    }

    @Test
    void multiclassUsesMacroAverages() {
        // scikit-learn's documented example: macro F1 0.2667, micro 0.3333
        double[] y = {0, 1, 2, 0, 1, 2};
        double[] p = {0, 2, 1, 0, 0, 1};
        Map<String, Double> m = SklearnMetrics.classification(y, p);
        assertEquals(0.8 / 3, m.get("f1"), 1e-12);
        assertEquals(1.0 / 3, m.get("f1_micro"), 1e-12);
        assertEquals(1.0 / 3, m.get("accuracy"), 1e-12);
        assertEquals((2.0 / 3) / 3, m.get("precision"), 1e-12);
        assertEquals(1.0 / 3, m.get("recall"), 1e-12);
        TabularException e = assertThrows(TabularException.class, () -> SklearnMetrics.f1Binary(y, p));
        assertEquals("Target is multiclass but average='binary'", e.getMessage());
    }

    @Test
    void regressionMetricsByHand() {
        double[] y = {3, -0.5, 2, 7};
        double[] p = {2.5, 0.0, 2, 8};
        // scikit-learn's r2_score example: 0.9486...
        assertEquals(0.9486081370449679, SklearnMetrics.r2(y, p), 1e-12);
        Map<String, Double> m = SklearnMetrics.regression(y, p);
        assertEquals(0.375, m.get("mse"), 1e-12);
        assertEquals(0.5, m.get("mae"), 1e-12);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(TabularException.class, () -> SklearnMetrics.r2(new double[] {1, 2}, new double[] {1}));
        assertThrows(TabularException.class, () -> SklearnMetrics.classification(new double[0], new double[0]));
        assertThrows(TabularException.class, () -> SklearnMetrics.regression(new double[] {Double.NaN}, new double[] {1}));
    }
}
