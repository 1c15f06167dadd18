package io.pgmlsidecar.proxy.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The tracker against the reply sequences PostgreSQL really sends (each one checked against a
 * PostgreSQL 15 by the byte-parity integration test's conversations).
 */
class ReplyTrackingTest {

    private final ProtocolState tracker = new ProtocolState((from, to) -> { });

    private void sent(String frontendTypes) {
        for (char c : frontendTypes.toCharArray()) {
            tracker.sent((byte) c);
        }
    }

    private void received(String backendTypes) {
        for (char c : backendTypes.toCharArray()) {
            tracker.received((byte) c);
        }
    }

    private void assertPending(String when) {
        assertFalse(tracker.idle(), "replies still expected " + when);
    }

    private void assertIdle(String when) {
        assertTrue(tracker.idle(), "nothing should be pending " + when);
    }

    @Test
    void freshTrackerIsIdleAndIgnoresStrayReplies() {
        assertIdle("at first");
        received("SNAZ");
        assertIdle("after replies nobody asked for");
        sent("dH");
        assertIdle("CopyData and Flush expect no reply");
    }

    /** PostgreSQL 15: a Flush with a body gets "invalid message format" (08P01 ERROR) and skips to the next Sync. */
    @Test
    void aFlushWithABodyFailsAndTheBackendSkipsToSync() {
        tracker.sent((byte) 'H', 12);
        sent("Q");
        assertPending("the malformed Flush's error is awaited");
        received("E");
        assertTrue(tracker.skippingUntilSync(), "the error answers the Flush, not the Query");
        assertIdle("PostgreSQL ignores the Query: no reply is awaited for it");
        sent("S");
        received("Z");
        assertIdle("after the Sync's ReadyForQuery");
        assertFalse(tracker.skippingUntilSync());

        sent("Q");
        tracker.sent((byte) 'H', 3);
        received("TDCZ");
        assertPending("the Query is answered, the Flush's error still comes");
        received("E");
        assertTrue(tracker.skippingUntilSync());
        tracker.sent((byte) 'H', 3);
        assertIdle("while skipping, PostgreSQL discards even a malformed Flush");
    }

    @Test
    void simpleQueryEndsWithReadyForQuery() {
        sent("Q");
        received("TDDC");
        assertPending("before ReadyForQuery");
        received("Z");
        assertIdle("after ReadyForQuery");
    }

    @Test
    void multiStatementQueryWithErrorStillEndsAtReadyForQuery() {
        sent("Q");
        received("TDCE");
        assertPending("an error inside a simple query does not end it");
        received("Z");
        assertIdle("after ReadyForQuery");
        sent("Q");
        received("IZ");
        assertIdle("after an empty query");
    }

    @Test
    void extendedBatchWaitsForEachReplyAndTheSync() {
        sent("PBDES");
        received("12TD");
        assertPending("Execute not complete");
        received("C");
        assertPending("Sync not answered");
        received("Z");
        assertIdle("after the batch");
    }

    @Test
    void pipelinedBatchWithErrorMidBatchSkipsToSync() {
        sent("PBE" + "PBE" + "PBE" + "S");
        received("12DC"); // first statement
        received("E"); // the bad Parse: the rest is skipped by the backend
        assertPending("until the Sync's ReadyForQuery");
        received("Z");
        assertIdle("after the Sync");
    }

    @Test
    void errorBeforeTheSyncIsSentSkipsWhatFollowsUntilSync() {
        sent("PBEH");
        received("12E");
        assertIdle("everything sent so far is answered or skipped");
        sent("PBE");
        assertIdle("the backend ignores these until Sync");
        sent("Q");
        assertIdle("a Query is ignored too until Sync");
        sent("S");
        assertPending("the Sync is answered");
        received("Z");
        assertIdle("after the Sync");
        sent("PBES");
        received("12CZ");
        assertIdle("normal again");
    }

    @Test
    void describeStatementAndPortal() {
        sent("PDS");
        received("1tT");
        assertPending("Sync");
        received("Z");
        assertIdle("after describing a statement with rows");
        sent("PDS");
        received("1tnZ");
        assertIdle("after describing a statement without rows");
        sent("BDES");
        received("2nCZ");
        assertIdle("after describing a portal without rows");
    }

    @Test
    void portalSuspendedAnswersAnExecute() {
        sent("PBEH");
        received("12DDs");
        assertIdle("PortalSuspended answers the Execute");
        sent("EH");
        received("DDs");
        sent("EH");
        received("D");
        assertPending("rows still coming");
        received("C");
        assertIdle("complete");
        sent("S");
        received("Z");
        assertIdle("after Sync");
    }

    @Test
    void closeAndFunctionCall() {
        sent("CCS");
        received("33Z");
        assertIdle("after Close");
        sent("F");
        received("V");
        assertPending("FunctionCall ends with ReadyForQuery");
        received("Z");
        assertIdle("after FunctionCall");
        sent("F");
        received("EZ");
        assertIdle("after a failed FunctionCall");
    }

    @Test
    void copyInThroughSimpleQuery() {
        sent("Q");
        received("G");
        sent("ddc");
        received("C");
        assertPending("ReadyForQuery");
        received("Z");
        assertIdle("after COPY FROM STDIN");
        sent("Q");
        received("G");
        sent("d");
        received("EZ"); // bad data
        assertIdle("after a failed COPY");
        sent("dc");
        assertIdle("the client's late CopyData/CopyDone are ignored by the backend");
    }

    @Test
    void copyInExtendedLibpqStyleWithSyncBeforeTheData() {
        // libpq sends P/B/D/E/S at once; the backend ignores that Sync in copy-in mode
        sent("PBDES");
        received("12nG");
        sent("ddc");
        received("C");
        assertIdle("the backend owes nothing until the client's second Sync");
        sent("S");
        assertPending("the second Sync is answered");
        received("Z");
        assertIdle("one ReadyForQuery for the two Syncs");
    }

    @Test
    void copyInExtendedAllSentBeforeTheCopyStarts() {
        sent("PBES" + "dc" + "S");
        received("12G");
        received("C");
        assertPending("the second Sync");
        received("Z");
        assertIdle("after the copy");
    }

    @Test
    void copyInExtendedWithFlush() {
        sent("PBEH");
        received("12G");
        sent("dcS");
        received("CZ");
        assertIdle("after the copy");
    }

    @Test
    void copyFailInExtendedProtocol() {
        sent("PBES");
        received("12G");
        sent("dfS");
        received("E");
        assertPending("the Sync after CopyFail");
        received("Z");
        assertIdle("after CopyFail");
    }

    @Test
    void copyInErrorBeforeTheClientEndsTheCopy() {
        sent("PBES");
        received("12G");
        sent("d");
        received("E"); // bad row; the backend now ignores messages until a Sync
        sent("dc");
        assertIdle("skipped by the backend");
        sent("S");
        assertPending("the Sync after the error is answered");
        received("Z");
        assertIdle("after the failed copy");
    }

    @Test
    void copyOutInExtendedProtocol() {
        sent("PBES");
        received("12Hddc");
        assertPending("CommandComplete");
        received("CZ");
        assertIdle("after COPY TO STDOUT");
    }

    @Test
    void copyDoneWithNothingPendingChangesNothing() {
        sent("cf");
        assertIdle("CopyDone/CopyFail outside COPY are ignored by the backend");
        sent("Q");
        received("CZ");
        assertIdle("after a query");
    }
}
