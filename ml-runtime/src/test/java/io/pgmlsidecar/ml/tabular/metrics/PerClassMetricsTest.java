package io.pgmlsidecar.ml.tabular.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The confusion matrix and per-class scores stored next to the macro scores (scikit-learn's conventions). */
class PerClassMetricsTest {

    @Test
    void tablesMatchScikitLearnsOnAWorkedExample() {
        // sklearn.metrics.confusion_matrix([0,0,1,1,2,2], [0,1,1,1,0,2]) = [[1,1,0],[0,2,0],[1,0,1]]
        int[] y = {0, 0, 1, 1, 2, 2};
        int[] p = {0, 1, 1, 1, 0, 2};
        Map<String, Object> m = Metrics.perClass(y, p, new String[]{"a", "b", "c"});
        assertEquals(List.of("a", "b", "c"), m.get("classes"));
        assertEquals(List.of(List.of(1L, 1L, 0L), List.of(0L, 2L, 0L), List.of(1L, 0L, 1L)), m.get("confusion_matrix"));
        // precision_recall_fscore_support(average=None): precision [0.5, 0.667, 1], recall [0.5, 1, 0.5]
        assertList(new double[]{0.5, 2.0 / 3, 1.0}, m.get("precision_per_class"));
        assertList(new double[]{0.5, 1.0, 0.5}, m.get("recall_per_class"));
        assertList(new double[]{0.5, 0.8, 2.0 / 3}, m.get("f1_per_class"));
        assertEquals(List.of(2L, 2L, 2L), m.get("support_per_class"));
        // their mean is the macro f1 pgml.train stores
        double macro = (0.5 + 0.8 + 2.0 / 3) / 3;
        assertEquals(macro, (Double) Metrics.classification(y, p, null, 3).get("f1"), 1e-12);
    }

    @Test
    void aClassNeverPredictedScoresZeroPrecision() {
        Map<String, Object> m = Metrics.perClass(new int[]{0, 1}, new int[]{0, 0}, new String[]{"x", "y"});
        assertList(new double[]{0.5, 0.0}, m.get("precision_per_class"));
        assertList(new double[]{0.0 + 2 * 0.5 / 1.5, 0.0}, m.get("f1_per_class"));
    }

    @Test
    void testPredictionsAreCappedToAnEvenlySpacedSubset() {
        double[] y = new double[2500];
        double[] p = new double[2500];
        for (int i = 0; i < y.length; i++) {
            y[i] = i;
            p[i] = i + 0.5;
        }
        Map<String, Object> m = Metrics.testPredictions(y, p);
        assertEquals(2500, m.get("rows"));
        List<?> actual = (List<?>) m.get("actual");
        assertEquals(Metrics.MAX_TEST_PREDICTIONS, actual.size());
        assertEquals(0f, actual.get(0));
        assertEquals(2497f, actual.get(actual.size() - 1), "evenly spaced through the split");
        assertEquals(2497.5f, ((List<?>) m.get("predicted")).get(actual.size() - 1));
    }

    private static void assertList(double[] expected, Object actual) {
        List<?> l = (List<?>) actual;
        assertEquals(expected.length, l.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], ((Number) l.get(i)).doubleValue(), 1e-12, "index " + i);
        }
    }
}
