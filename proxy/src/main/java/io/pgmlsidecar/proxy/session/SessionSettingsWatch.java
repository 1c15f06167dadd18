package io.pgmlsidecar.proxy.session;

import io.netty.buffer.ByteBuf;
import io.pgmlsidecar.proxy.codec.AsciiSearch;
import io.pgmlsidecar.proxy.codec.TransactionStatus;
import io.pgmlsidecar.proxy.intercept.SessionSettings;

/**
 * Knows when the session's {@link io.pgmlsidecar.proxy.intercept.SessionSettings} must be read again from the
 * backend: at the start, after any statement whose text may change {@code statement_timeout} or the current role
 * (SET / RESET / DISCARD / set_config), and — because a ROLLBACK, ROLLBACK TO SAVEPOINT or the end of SET LOCAL
 * undo such changes without naming them — before every served statement of a transaction in which one was seen
 * and once more after that transaction ends. Reading on every served statement would cost a round trip each
 * (BENCHMARKS.md §11); this costs one per change. Not seen: a function that calls set_config inside its body.
 * Written by the event loop (relayed texts, ReadyForQuery) and the worker (read back): fields are volatile.
 */
final class SessionSettingsWatch {

    private static final byte[][] ANYWHERE = words("statement_timeout", "set_config", "reset", "discard");
    private static final byte[] SET = words("set")[0];
    private static final byte[][] AFTER_SET = words("role", "session", "local");

    private volatile SessionSettings last;
    private volatile boolean stale = true;
    /** A mention since the last ReadyForQuery outside a transaction block. */
    private volatile boolean mentionedSinceIdle;

    /** A relayed statement's text ({@code from}…{@code to} of {@code buf}); notes whether it may change the settings. */
    void relayed(ByteBuf buf, int from, int to) {
        if (mentions(buf, from, to)) {
            stale = true;
            mentionedSinceIdle = true;
        }
    }

    void readyForQuery(TransactionStatus status) {
        if (status == TransactionStatus.IDLE && mentionedSinceIdle) {
            mentionedSinceIdle = false;
            stale = true;
        }
    }

    boolean needsReading(TransactionStatus now) {
        return last == null || stale || (mentionedSinceIdle && now != TransactionStatus.IDLE);
    }

    /** As last read (null before the first read). */
    SessionSettings last() {
        return last;
    }

    void read(SessionSettings now) {
        last = now;
        stale = false;
    }

    static boolean mentions(ByteBuf buf, int from, int to) {
        for (int i = from; i < to; i++) {
            int c = buf.getByte(i) | 0x20;
            if (c != 's' && c != 'r' && c != 'd') {
                continue;
            }
            for (byte[] w : ANYWHERE) {
                if (AsciiSearch.startsWithIgnoreCase(buf, i, to, w)) {
                    return true;
                }
            }
            if (AsciiSearch.startsWithIgnoreCase(buf, i, to, SET) && (i == from || !identifierByte(buf.getByte(i - 1)))) {
                int j = i + SET.length;
                int spaces = j;
                while (j < to && Character.isWhitespace(buf.getByte(j))) {
                    j++;
                }
                if (j > spaces) {
                    for (byte[] w : AFTER_SET) {
                        if (AsciiSearch.startsWithIgnoreCase(buf, j, to, w)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    private static boolean identifierByte(byte b) {
        return Character.isLetterOrDigit(b) || b == '_' || b < 0;
    }

    private static byte[][] words(String... words) {
        byte[][] out = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            out[i] = words[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return out;
    }
}
