package io.pgmlsidecar.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pgmlsidecar.proxy.codec.AsciiSearch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The words that send a Query or Parse to the interceptor: the interceptor's own, and those it
 * added for this session. Read on the event loop for every Query and Parse, so the array is
 * replaced whole when a word is added, never changed in place.
 */
final class SessionTriggers {

    private volatile byte[][] words;

    SessionTriggers(List<String> initial) {
        byte[][] w = new byte[initial.size()][];
        for (int i = 0; i < w.length; i++) {
            w[i] = lowerAscii(initial.get(i));
        }
        this.words = w;
    }

    boolean any() {
        return words.length > 0;
    }

    /** Called by the worker; the event loop sees the new word from its next message on. */
    synchronized void add(String word) {
        byte[] w = lowerAscii(word);
        byte[][] current = words;
        for (byte[] t : current) {
            if (Arrays.equals(t, w)) {
                return;
            }
        }
        byte[][] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = w;
        words = next;
    }

    /** True when bytes {@code from} to {@code to} of {@code buf} contain a word, in any case. */
    boolean foundIn(ByteBuf buf, int from, int to) {
        for (byte[] t : words) {
            if (AsciiSearch.containsIgnoreCase(buf, from, to, t)) {
                return true;
            }
        }
        return false;
    }

    boolean foundIn(String sql) {
        ByteBuf b = Unpooled.wrappedBuffer(sql.getBytes(StandardCharsets.UTF_8));
        return foundIn(b, 0, b.writerIndex());
    }

    private static byte[] lowerAscii(String word) {
        return word.toLowerCase().getBytes(StandardCharsets.US_ASCII);
    }
}
