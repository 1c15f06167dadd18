package io.pgmlsidecar.proxy.session;

import io.pgmlsidecar.proxy.codec.FrontendType;
import io.pgmlsidecar.proxy.codec.BackendType;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Knows which relayed frontend messages the backend has not answered yet, so the session can
 * tell when earlier pipelined work is done before it answers an intercepted message itself.
 * Follows the protocol's rules: each extended message ends with one known reply, an error skips
 * to the next Sync, and Sync, Query and FunctionCall end with ReadyForQuery, except a Sync
 * that PostgreSQL reads in copy-in mode, which it ignores (libpq sends one right after an
 * extended-protocol COPY FROM STDIN and another after CopyDone).
 * Used by one thread at a time (the event loop, or the session's worker while it owns the session).
 */
final class ReplyTracker {

    /** COPY_END marks where the client ended a COPY FROM STDIN (CopyDone/CopyFail); it gets no reply. */
    private enum Pending { PARSE, BIND, DESCRIBE, EXECUTE, CLOSE, SYNC, QUERY, FUNCTION_CALL, COPY_END }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** The backend reported an error in an extended batch and ignores messages until Sync. */
    private boolean skippingUntilSync;
    /** The backend is in copy-in mode and the client has not ended it yet: its Syncs are ignored. */
    private boolean copyInSwallowsSync;

    void sent(byte frontendType) {
        if (frontendType == FrontendType.COPY_DONE || frontendType == FrontendType.COPY_FAIL) {
            copyInSwallowsSync = false;
            if (!pending.isEmpty() && !skippingUntilSync) {
                pending.add(Pending.COPY_END);
            }
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
    }

    void received(byte backendType) {
        Pending head = pending.peek();
        if (head == null) {
            return;
        }
        switch (backendType) {
            case BackendType.COPY_IN_RESPONSE -> copyInStarted();
            case BackendType.PARSE_COMPLETE, BackendType.BIND_COMPLETE, BackendType.CLOSE_COMPLETE -> pending.poll();
            case BackendType.ROW_DESCRIPTION, BackendType.NO_DATA -> {
                if (head == Pending.DESCRIBE) {
                    pending.poll();
                }
            }
            case BackendType.COMMAND_COMPLETE, BackendType.EMPTY_QUERY_RESPONSE, BackendType.PORTAL_SUSPENDED -> {
                copyInSwallowsSync = false;
                if (head == Pending.EXECUTE) {
                    pending.poll();
                }
            }
            case BackendType.ERROR_RESPONSE -> {
                copyInSwallowsSync = false;
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
            }
            default -> { }
        }
        while (pending.peek() == Pending.COPY_END) {
            pending.poll();
        }
    }

    /**
     * CopyInResponse: the statement at the head runs COPY FROM STDIN. The Syncs the client sent
     * after it and before ending the copy are read by the backend in copy-in mode and ignored.
     */
    private void copyInStarted() {
        Iterator<Pending> it = pending.iterator();
        it.next();
        while (it.hasNext()) {
            Pending p = it.next();
            if (p != Pending.SYNC) {
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
