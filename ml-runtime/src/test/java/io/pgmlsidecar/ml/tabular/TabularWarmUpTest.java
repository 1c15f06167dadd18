package io.pgmlsidecar.ml.tabular;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

class TabularWarmUpTest {

    /**
     * The warm-up trains an XGBoost classifier, stores it, loads it back from its bytes and throws
     * unless the loaded model predicts each class of its probe rows: run twice, as a restarted
     * path would, it must pass both times.
     */
    @Test
    void warmUpModelSurvivesItsStoredFormAndPredictsEveryClass() {
        assertDoesNotThrow(TabularWarmUp::run);
        assertDoesNotThrow(TabularWarmUp::run);
    }
}
