package io.pgmlsidecar.proxy.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The phases and their allowed moves, without a session around them. */
class ProtocolStateTest {

    private final List<String> illegal = new ArrayList<>();
    private final ProtocolState state = new ProtocolState((from, to) -> illegal.add(from + "->" + to));

    private void sent(String frontendTypes) {
        for (char c : frontendTypes.toCharArray()) {
            state.sent((byte) c);
            state.fromClient((byte) c);
        }
    }

    private void received(String backendTypes) {
        for (char c : backendTypes.toCharArray()) {
            state.received((byte) c);
        }
    }

    private void authenticated() {
        state.startupSent();
        state.readyForQuery(io.pgmlsidecar.proxy.codec.TransactionStatus.IDLE);
    }

    @Test
    void everyPhaseHasItsMovesAndClosedIsFinal() {
        assertEquals(EnumSet.allOf(Phase.class), ProtocolState.ALLOWED.keySet());
        assertTrue(ProtocolState.ALLOWED.get(Phase.CLOSED).isEmpty());
        for (Phase p : Phase.values()) {
            if (p != Phase.CLOSED) {
                assertTrue(ProtocolState.ALLOWED.get(p).contains(Phase.CLOSED), p + " may close");
            }
        }
        assertFalse(ProtocolState.ALLOWED.get(Phase.AUTHENTICATING).contains(Phase.INTERCEPTED),
                "nothing is served before authentication ends");
    }

    /**
     * Behind a transaction pooler a relayed Sync after a served statement waits for a pooled server
     * while the client already holds the results (pgbench then blocks on that client): the worker
     * answers a Sync itself when nothing was sent since the last ReadyForQuery, however that
     * ReadyForQuery reached the session (relayed on the fast path, or the interceptor's own).
     */
    @Test
    void aReadyForQueryWithNothingOutstandingLeavesTheBackendUntouched() {
        authenticated();
        sent("PBDES");
        assertFalse(state.backendUntouched());
        received("12TDC");
        assertFalse(state.backendUntouched(), "the Sync's reply is still outstanding");
        received("Z");
        assertTrue(state.backendUntouched(), "the fast path's ReadyForQuery settled everything");
        sent("PBES");
        sent("Q");
        received("12CZ");
        assertFalse(state.backendUntouched(), "the Query's reply is still outstanding");
        received("CZ");
        assertTrue(state.backendUntouched());
        state.backendTouched();
        received("Z"); // the interceptor's own exchange ended with its Sync
        assertTrue(state.backendUntouched());
    }

    @Test
    void startupAuthenticatingReady() {
        assertEquals(Phase.STARTUP, state.phase());
        state.startupSent();
        assertEquals(Phase.AUTHENTICATING, state.phase());
        received("R"); // nothing was relayed that awaits a reply
        assertFalse(state.authenticated());
        state.readyForQuery(io.pgmlsidecar.proxy.codec.TransactionStatus.IDLE);
        assertEquals(Phase.READY, state.phase());
        assertTrue(state.authenticated());
        assertTrue(illegal.isEmpty());
    }

    @Test
    void conversationPhasesFollowTheMessages() {
        authenticated();
        sent("Q");
        assertEquals(Phase.IN_QUERY, state.phase());
        received("G");
        assertEquals(Phase.COPY_IN, state.phase());
        sent("dc");
        assertEquals(Phase.IN_QUERY, state.phase(), "the copy ended, CommandComplete is still due");
        received("CZ");
        assertEquals(Phase.READY, state.phase());
        sent("PBE");
        assertEquals(Phase.IN_EXTENDED_BATCH, state.phase());
        received("12DC");
        assertEquals(Phase.IN_EXTENDED_BATCH, state.phase(), "no Sync yet");
        sent("S");
        received("Z");
        assertEquals(Phase.READY, state.phase());
        sent("Q");
        received("H");
        assertEquals(Phase.COPY_OUT, state.phase());
        received("ddc");
        assertEquals(Phase.IN_QUERY, state.phase());
        received("CZ");
        assertEquals(Phase.READY, state.phase());
        assertTrue(illegal.isEmpty());
    }

    @Test
    void handOverKeepsTheConversationForTheReturn() {
        authenticated();
        assertTrue(state.beginIntercept());
        sent("PB"); // the worker relays while it owns the session
        assertEquals(Phase.INTERCEPTED, state.phase(), "the phase stays with the worker");
        state.endIntercept();
        assertEquals(Phase.IN_EXTENDED_BATCH, state.phase(), "handed back in the batch the worker left open");
        assertTrue(illegal.isEmpty());
    }

    @Test
    void drainAskedWhileInterceptedFollowsTheHandBack() {
        authenticated();
        state.beginIntercept();
        state.requestDrain();
        assertEquals(Phase.INTERCEPTED, state.phase());
        state.endIntercept();
        assertEquals(Phase.DRAINING, state.phase());
        state.closed();
        assertEquals(Phase.CLOSED, state.phase());
        assertTrue(illegal.isEmpty());
    }

    @Test
    void anIllegalMoveIsReportedAndClosesTheState() {
        authenticated();
        state.endIntercept(); // the worker handing back a session it never had: a bug
        assertEquals(List.of("READY->READY"), illegal);
        assertEquals(Phase.CLOSED, state.phase());
    }

    @Test
    void handBackAfterTheClientLeftIsNoMove() {
        authenticated();
        state.beginIntercept();
        state.closed();
        state.endIntercept();
        assertEquals(Phase.CLOSED, state.phase());
        assertTrue(illegal.isEmpty());
    }
}
