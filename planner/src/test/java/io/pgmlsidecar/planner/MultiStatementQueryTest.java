package io.pgmlsidecar.planner;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MultiStatementQueryTest {

    @Test
    void transactionControlIsReadPastCommentsAsPostgresReadsIt() {
        assertTrue(MultiStatementQuery.controlsTransactions("BEGIN"));
        assertTrue(MultiStatementQuery.controlsTransactions("-- the batch\nBEGIN"));
        assertTrue(MultiStatementQuery.controlsTransactions("/* a /* nested */ comment */ commit"));
        assertTrue(MultiStatementQuery.controlsTransactions("  START TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
        assertFalse(MultiStatementQuery.controlsTransactions("-- BEGIN\nSELECT pgml.embed('m', 'x')"));
        assertFalse(MultiStatementQuery.controlsTransactions("SELECT 'begin'"));
        assertFalse(MultiStatementQuery.controlsTransactions("\"begin\"()"));
    }
}
