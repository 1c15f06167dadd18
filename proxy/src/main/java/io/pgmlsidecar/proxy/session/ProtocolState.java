package io.pgmlsidecar.proxy.session;

import io.pgmlsidecar.proxy.codec.BackendMessages;
import io.pgmlsidecar.proxy.codec.BackendType;
import io.pgmlsidecar.proxy.codec.FrontendType;
import io.pgmlsidecar.proxy.codec.PgMessage;
import io.pgmlsidecar.proxy.codec.TransactionStatus;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol state of one client session: its {@link Phase}, with every allowed move between
 * phases in {@link #ALLOWED}; the transaction status; the client's open extended batch; and which
 * relayed frontend messages the backend has not answered yet, so the session can tell when earlier
 * pipelined work is done before it answers an intercepted message itself.
 *
 * <p>The replies follow the protocol's rules: each extended message ends with one known reply, an
 * error skips to the next Sync, and Sync, Query and FunctionCall end with ReadyForQuery, except a
 * Sync that PostgreSQL reads in copy-in mode, which it ignores (libpq sends one right after an
 * extended-protocol COPY FROM STDIN and another after CopyDone).
 *
 * <p>The fast path and the intercept worker hand the session over through {@link #beginIntercept}
 * and {@link #endIntercept}. Those and the other moves the session makes itself run on its event
 * loop; the message bookkeeping is done by whoever owns the session (the event loop, or the worker
 * while the phase is INTERCEPTED), one thread at a time, handed over through the session's queues.
 */
final class ProtocolState {

    private static final Logger log = LoggerFactory.getLogger(ProtocolState.class);

    /** Told of a move the table does not allow: a bug of the sidecar, the session must close. */
    interface IllegalTransition {
        void happened(Phase from, Phase to);
    }

    /** Every allowed move. Moves among the conversation phases are all allowed (the client may pipeline anything). */
    static final Map<Phase, Set<Phase>> ALLOWED = allowedTransitions();

    private static Map<Phase, Set<Phase>> allowedTransitions() {
        Map<Phase, Set<Phase>> allowed = new EnumMap<>(Phase.class);
        EnumSet<Phase> conversation = EnumSet.of(Phase.READY, Phase.IN_QUERY, Phase.IN_EXTENDED_BATCH,
                Phase.COPY_IN, Phase.COPY_OUT);
        allowed.put(Phase.STARTUP, EnumSet.of(Phase.AUTHENTICATING, Phase.CLOSED));
        allowed.put(Phase.AUTHENTICATING, EnumSet.of(Phase.READY, Phase.CLOSED));
        for (Phase p : conversation) {
            EnumSet<Phase> next = EnumSet.copyOf(conversation);
            next.addAll(EnumSet.of(Phase.INTERCEPTED, Phase.DRAINING, Phase.CLOSED));
            allowed.put(p, next);
        }
        EnumSet<Phase> fromIntercepted = EnumSet.copyOf(conversation);
        fromIntercepted.addAll(EnumSet.of(Phase.DRAINING, Phase.CLOSED));
        allowed.put(Phase.INTERCEPTED, fromIntercepted);
        allowed.put(Phase.DRAINING, EnumSet.of(Phase.INTERCEPTED, Phase.CLOSED));
        allowed.put(Phase.CLOSED, EnumSet.noneOf(Phase.class));
        allowed.replaceAll((phase, next) -> Collections.unmodifiableSet(next));
        return Collections.unmodifiableMap(allowed);
    }

    /**
     * COPY_END marks where the client ended a COPY FROM STDIN (CopyDone/CopyFail); it gets no reply.
     * MALFORMED_FLUSH is a Flush with a body: PostgreSQL answers it with an ErrorResponse and then ignores
     * messages until Sync (a well-formed Flush gets no reply and is not tracked).
     */
    private enum Pending { PARSE, BIND, DESCRIBE, EXECUTE, CLOSE, SYNC, QUERY, FUNCTION_CALL, COPY_END, MALFORMED_FLUSH }

    private final IllegalTransition onIllegalTransition;
    private volatile Phase phase = Phase.STARTUP;
    /** Shutdown was asked for while the worker owned the session: DRAINING follows it. */
    private boolean drainRequested;
    private volatile TransactionStatus transactionStatus = TransactionStatus.IDLE;
    /** The client sent extended-protocol messages since its last Sync. */
    private volatile boolean extendedBatchOpen;
    /** An intercepted extended message failed: like PostgreSQL, drop the client's messages until Sync. */
    private volatile boolean discardUntilSync;
    /**
     * True when nothing has been sent to the backend since a ReadyForQuery with no reply
     * outstanding: a Sync then changes nothing there, and the worker may answer it itself.
     * Cleared by every write to the backend; set by whoever reads that ReadyForQuery — the event
     * loop on the fast path, the worker while intercepted (never both at once).
     */
    private volatile boolean backendUntouched;
    /** A CancelRequest with this session's key arrived (set from the cancelling connection's event loop). */
    private volatile boolean cancelRequested;
    /** System.nanoTime() when the served statement's statement_timeout runs out; meaningful while {@link #clockRunning}. */
    private volatile long statementDeadline;
    private volatile boolean clockRunning;
    private final SessionSettingsWatch settingsWatch = new SessionSettingsWatch();

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** The backend reported an error in an extended batch and ignores messages until Sync. */
    private boolean skippingUntilSync;
    /** The backend is in copy-in mode and the client has not ended it yet: its Syncs are ignored. */
    private boolean copyInSwallowsSync;
    /** The backend sent CopyOutResponse (or CopyBothResponse) and not yet CopyDone. */
    private boolean copyOut;

    ProtocolState(IllegalTransition onIllegalTransition) {
        this.onIllegalTransition = onIllegalTransition;
    }

    // ------------------------------------------------------------------ phases

    Phase phase() {
        return phase;
    }

    /** The worker owns the session. */
    boolean intercepted() {
        return phase == Phase.INTERCEPTED;
    }

    /** The StartupMessage was accepted and goes upstream. */
    void startupSent() {
        moveTo(Phase.AUTHENTICATING);
    }

    /** The fast path hands the session to the worker; false when that is not allowed now (the session closes). */
    boolean beginIntercept() {
        return moveTo(Phase.INTERCEPTED);
    }

    /** The worker hands the session back to the fast path: the conversation phase, or DRAINING. */
    void endIntercept() {
        Phase from = phase;
        if (from == Phase.CLOSED) {
            return; // the client left while the worker ran
        }
        Phase next = drainRequested ? Phase.DRAINING : conversation();
        if (from != Phase.INTERCEPTED) {
            reject(from, next); // handed back what the worker never had
            return;
        }
        moveTo(next);
    }

    /** SIGTERM: finish what runs, then close. While the worker owns the session, DRAINING follows its end. */
    void requestDrain() {
        drainRequested = true;
        if (phase.isConversation()) {
            moveTo(Phase.DRAINING);
        }
    }

    boolean drainRequested() {
        return drainRequested;
    }

    void closed() {
        if (phase != Phase.CLOSED) {
            moveTo(Phase.CLOSED);
        }
    }

    private boolean moveTo(Phase next) {
        Phase from = phase;
        if (!ALLOWED.get(from).contains(next)) {
            reject(from, next);
            return false;
        }
        phase = next;
        return true;
    }

    private void reject(Phase from, Phase next) {
        phase = Phase.CLOSED;
        log.error("illegal session phase transition {} -> {}", from, next,
                new IllegalStateException("phase " + from + " cannot move to " + next));
        onIllegalTransition.happened(from, next);
    }

    /** Follows the conversation on the fast path; while another phase holds, it is only recorded. */
    private void settle() {
        Phase p = phase;
        if (p.isConversation()) {
            Phase next = conversation();
            if (next != p) {
                phase = next; // moves among conversation phases are all allowed
            }
        }
    }

    /** The conversation phase the relayed messages and their replies so far say. */
    private Phase conversation() {
        if (copyInSwallowsSync) {
            return Phase.COPY_IN;
        }
        if (copyOut) {
            return Phase.COPY_OUT;
        }
        Pending head = pending.peek();
        if (extendedBatchOpen || (head != null && head != Pending.QUERY && head != Pending.FUNCTION_CALL)) {
            return Phase.IN_EXTENDED_BATCH;
        }
        return head == null ? Phase.READY : Phase.IN_QUERY;
    }

    // ------------------------------------------------------------------ session facts

    TransactionStatus transactionStatus() {
        return transactionStatus;
    }

    /** A ReadyForQuery: its transaction status; the first one ends authentication. */
    void readyForQuery(TransactionStatus status) {
        transactionStatus = status;
        settingsWatch.readyForQuery(status);
        if (phase == Phase.AUTHENTICATING) {
            moveTo(Phase.READY);
        }
    }

    boolean authenticated() {
        Phase p = phase;
        return p != Phase.STARTUP && p != Phase.AUTHENTICATING;
    }

    boolean extendedBatchOpen() {
        return extendedBatchOpen;
    }

    boolean discardingUntilSync() {
        return discardUntilSync;
    }

    void discardUntilSync(boolean discard) {
        discardUntilSync = discard;
    }

    boolean backendUntouched() {
        return backendUntouched;
    }

    void backendTouched() {
        backendUntouched = false;
    }

    /** Called by the worker after it saw every reply: the backend is where its last ReadyForQuery left it. */
    void backendSettled() {
        backendUntouched = pending.isEmpty();
    }

    /** The client cancelled the served statement, or its statement_timeout ran out. */
    boolean cancelRequested() {
        return cancelRequested || deadlinePassed();
    }

    private boolean deadlinePassed() {
        return clockRunning && System.nanoTime() - statementDeadline >= 0;
    }

    /** The statement_timeout ran out and the client did not cancel. */
    boolean timedOut() {
        return !cancelRequested && deadlinePassed();
    }

    void requestCancel() {
        cancelRequested = true;
    }

    /** An intercepted statement starts: an earlier cancel was for an earlier statement. */
    void clearCancel() {
        cancelRequested = false;
        clockRunning = false;
    }

    /** The served statement's work counts against {@code timeoutMillis} from now (0: no limit), as PostgreSQL's does. */
    void startStatementClock(long timeoutMillis) {
        if (timeoutMillis > 0) {
            statementDeadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            clockRunning = true;
        }
    }

    void stopStatementClock() {
        clockRunning = false;
    }

    SessionSettingsWatch settingsWatch() {
        return settingsWatch;
    }

    // ------------------------------------------------------------------ messages

    /** The client sent a message (relayed or served by the worker): keeps the extended batch. */
    void fromClient(byte frontendType) {
        if (FrontendType.isExtended(frontendType)) {
            if (!extendedBatchOpen) {
                extendedBatchOpen = true;
                settle();
            }
        } else if (frontendType == FrontendType.SYNC && extendedBatchOpen) {
            extendedBatchOpen = false;
            settle();
        }
    }

    /** A backend message the session read whole: its reply and, for ReadyForQuery, the transaction status. */
    void fromBackend(PgMessage m) {
        received(m.type());
        if (m.type() == BackendType.READY_FOR_QUERY && m.frame().readableBytes() >= PgMessage.HEADER_LENGTH + 1) {
            readyForQuery(BackendMessages.readTransactionStatus(m.frame(), m.frame().readerIndex()));
        }
    }

    /** A frontend message went to the backend; it expects the replies the protocol gives it. */
    void sent(byte frontendType) {
        sent(frontendType, 0);
    }

    /**
     * As {@link #sent(byte)}, knowing the message's body length: PostgreSQL refuses a Flush that has a body
     * ("invalid message format") and then skips to the next Sync, so that error must not be taken for the reply
     * to a later message (found by the saved protocol corpus: an intercepted Query after it waited forever).
     */
    void sent(byte frontendType, int bodyLength) {
        if (frontendType == FrontendType.FLUSH) {
            if (bodyLength > 0 && !skippingUntilSync && !copyInSwallowsSync) { // copy-in mode ignores any Flush
                pending.add(Pending.MALFORMED_FLUSH);
                settle();
            }
            return;
        }
        if (frontendType == FrontendType.COPY_DONE || frontendType == FrontendType.COPY_FAIL) {
            copyInSwallowsSync = false;
            if (!pending.isEmpty() && !skippingUntilSync) {
                pending.add(Pending.COPY_END);
            }
            settle();
            return;
        }
        if (frontendType == FrontendType.SYNC && copyInSwallowsSync) {
            return;
        }
        Pending p = switch (frontendType) {
            case FrontendType.PARSE -> Pending.PARSE;
            case FrontendType.BIND -> Pending.BIND;
            case FrontendType.DESCRIBE -> Pending.DESCRIBE;
            case FrontendType.EXECUTE -> Pending.EXECUTE;
            case FrontendType.CLOSE -> Pending.CLOSE;
            case FrontendType.SYNC -> Pending.SYNC;
            case FrontendType.QUERY -> Pending.QUERY;
            case FrontendType.FUNCTION_CALL -> Pending.FUNCTION_CALL;
            default -> null;
        };
        if (p == null) {
            return;
        }
        if (p == Pending.SYNC) {
            skippingUntilSync = false;
        } else if (skippingUntilSync) {
            return; // PostgreSQL ignores every message but Sync here, Query included
        }
        pending.add(p);
        settle();
    }

    /** A backend message passed (relayed or read whole); the reply it is, if one is awaited. */
    void received(byte backendType) {
        Pending head = pending.peek();
        if (head == null) {
            if (backendType == BackendType.READY_FOR_QUERY) {
                backendUntouched = true; // the end of the interceptor's own exchange: nothing else is outstanding
            }
            return;
        }
        switch (backendType) {
            case BackendType.COPY_IN_RESPONSE -> copyInStarted();
            case BackendType.COPY_OUT_RESPONSE, BackendType.COPY_BOTH_RESPONSE -> copyOut = true;
            case BackendType.COPY_DONE -> copyOut = false;
            case BackendType.PARSE_COMPLETE, BackendType.BIND_COMPLETE, BackendType.CLOSE_COMPLETE -> pending.poll();
            case BackendType.ROW_DESCRIPTION, BackendType.NO_DATA -> {
                if (head == Pending.DESCRIBE) {
                    pending.poll();
                }
            }
            case BackendType.COMMAND_COMPLETE, BackendType.EMPTY_QUERY_RESPONSE, BackendType.PORTAL_SUSPENDED -> {
                copyInSwallowsSync = false;
                copyOut = false;
                if (head == Pending.EXECUTE) {
                    pending.poll();
                }
            }
            case BackendType.ERROR_RESPONSE -> {
                copyInSwallowsSync = false;
                copyOut = false;
                if (head != Pending.QUERY && head != Pending.FUNCTION_CALL) {
                    while (!pending.isEmpty() && pending.peek() != Pending.SYNC) {
                        pending.poll();
                    }
                    skippingUntilSync = pending.isEmpty();
                }
            }
            case BackendType.READY_FOR_QUERY -> {
                Pending p;
                do {
                    p = pending.poll();
                } while (p != null && p != Pending.SYNC && p != Pending.QUERY && p != Pending.FUNCTION_CALL);
                // nothing outstanding after this ReadyForQuery (relayed on the fast path or by the worker): a Sync alone
                // would change nothing upstream, so the worker may answer one itself. Behind a transaction pooler that
                // matters beyond the round trip: a relayed Sync would wait for a pooled server while the client already
                // holds the statement's results — pgbench then blocks its thread on that client (a stall, with clients
                // of the same thread holding the pool's servers)
                backendUntouched = pending.isEmpty() && !copyInSwallowsSync;
            }
            default -> { }
        }
        while (pending.peek() == Pending.COPY_END) {
            pending.poll();
        }
        settle();
    }

    /**
     * CopyInResponse: the statement at the head runs COPY FROM STDIN. The Syncs (and Flushes) the client sent
     * after it and before ending the copy are read by the backend in copy-in mode and ignored.
     */
    private void copyInStarted() {
        Iterator<Pending> it = pending.iterator();
        it.next();
        while (it.hasNext()) {
            Pending p = it.next();
            if (p != Pending.SYNC && p != Pending.MALFORMED_FLUSH) {
                return; // the copy's end (or a message that breaks copy-in mode) is already sent
            }
            it.remove();
        }
        copyInSwallowsSync = true;
    }

    /** Every relayed message has its reply. */
    boolean idle() {
        return pending.isEmpty();
    }

    /** The backend discards extended messages until the next Sync. */
    boolean skippingUntilSync() {
        return skippingUntilSync;
    }
}
