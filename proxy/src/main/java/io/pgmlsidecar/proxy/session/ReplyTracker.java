package io.pgmlsidecar.proxy.session;

import java.util.ArrayDeque;

/**
 * Knows which relayed frontend messages the backend has not answered yet, so the session can
 * tell when earlier pipelined work is done before it answers an intercepted message itself.
 * Follows the protocol's rules: each extended message ends with one known reply, an error skips
 * to the next Sync, and Sync, Query and FunctionCall end with ReadyForQuery.
 * Used by one thread at a time (the event loop, or the session's worker while it owns the session).
 */
final class ReplyTracker {

    private enum Pending { PARSE, BIND, DESCRIBE, EXECUTE, CLOSE, SYNC, QUERY, FUNCTION_CALL }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** The backend reported an error in an extended batch and ignores messages until Sync. */
    private boolean skippingUntilSync;

    void sent(byte frontendType) {
        Pending p = switch (frontendType) {
            case 'P' -> Pending.PARSE;
            case 'B' -> Pending.BIND;
            case 'D' -> Pending.DESCRIBE;
            case 'E' -> Pending.EXECUTE;
            case 'C' -> Pending.CLOSE;
            case 'S' -> Pending.SYNC;
            case 'Q' -> Pending.QUERY;
            case 'F' -> Pending.FUNCTION_CALL;
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
            case '1', '2', '3' -> pending.poll();
            case 'T', 'n' -> {
                if (head == Pending.DESCRIBE) {
                    pending.poll();
                }
            }
            case 'C', 'I', 's' -> {
                if (head == Pending.EXECUTE) {
                    pending.poll();
                }
            }
            case 'E' -> {
                if (head != Pending.QUERY && head != Pending.FUNCTION_CALL) {
                    while (!pending.isEmpty() && pending.peek() != Pending.SYNC) {
                        pending.poll();
                    }
                    skippingUntilSync = pending.isEmpty();
                }
            }
            case 'Z' -> {
                Pending p;
                do {
                    p = pending.poll();
                } while (p != null && p != Pending.SYNC && p != Pending.QUERY && p != Pending.FUNCTION_CALL);
            }
            default -> { }
        }
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
