package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;

/** Case-insensitive search of an ASCII word in a byte range, without copying. */
public final class AsciiSearch {
    private AsciiSearch() {}

    /** {@code lowerWord} must be lower-case ASCII. */
    public static boolean containsIgnoreCase(ByteBuf buf, int from, int to, byte[] lowerWord) {
        int last = to - lowerWord.length;
        byte first = lowerWord[0];
        for (int i = from; i <= last; i++) {
            if ((buf.getByte(i) | 0x20) != first) {
                continue;
            }
            int j = 1;
            while (j < lowerWord.length && lower(buf.getByte(i + j)) == lowerWord[j]) {
                j++;
            }
            if (j == lowerWord.length) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code lowerWord} (lower-case ASCII) stands at {@code at}, any case, ending before {@code to}. */
    public static boolean startsWithIgnoreCase(ByteBuf buf, int at, int to, byte[] lowerWord) {
        if (to - at < lowerWord.length) {
            return false;
        }
        for (int k = 0; k < lowerWord.length; k++) {
            if (lower(buf.getByte(at + k)) != lowerWord[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b | 0x20) : b;
    }
}
