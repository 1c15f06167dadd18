package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** NUL-terminated UTF-8 strings as the protocol carries them. */
public final class WireStrings {
    private WireStrings() {}

    /** Reads a C string at the reader index and moves past its terminator. */
    public static String read(ByteBuf buf) {
        int nul = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0);
        if (nul < 0) {
            throw new ProtocolViolation("invalid string in message");
        }
        String s = buf.toString(buf.readerIndex(), nul - buf.readerIndex(), StandardCharsets.UTF_8);
        buf.readerIndex(nul + 1);
        return s;
    }

    public static void write(ByteBuf buf, String s) {
        buf.writeCharSequence(s, StandardCharsets.UTF_8);
        buf.writeByte(0);
    }
}
