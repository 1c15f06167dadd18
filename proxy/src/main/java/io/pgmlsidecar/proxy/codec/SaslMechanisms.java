package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * SCRAM channel binding binds to the TLS connection the server sees. Relayed through the
 * sidecar the client's TLS (if any) ends here, so a -PLUS mechanism could never verify: it is
 * removed from AuthenticationSASL and the client picks plain SCRAM-SHA-256.
 */
public final class SaslMechanisms {
    private SaslMechanisms() {}

    private static final int AUTH_SASL = 10;
    private static final byte[] PLUS_SUFFIX = "-PLUS".getBytes(StandardCharsets.US_ASCII);

    public static boolean offersChannelBinding(ByteBuf frame, int start, int frameLength) {
        if (frame.getByte(start) != BackendType.AUTHENTICATION || frameLength < 9 || frame.getInt(start + 5) != AUTH_SASL) {
            return false;
        }
        return AsciiSearch.containsIgnoreCase(frame, start + 9, start + frameLength, "-plus".getBytes(StandardCharsets.US_ASCII));
    }

    /** Takes ownership of {@code frame}; returns the message with -PLUS mechanisms removed. */
    public static ByteBuf withoutChannelBinding(ByteBuf frame) {
        int start = frame.readerIndex();
        if (!offersChannelBinding(frame, start, frame.readableBytes())) {
            return frame;
        }
        ByteBuf body = frame.slice(start + PgMessage.HEADER_LENGTH + 4,
                frame.readableBytes() - PgMessage.HEADER_LENGTH - 4);
        ByteBuf out = Unpooled.buffer();
        out.writeByte(BackendType.AUTHENTICATION);
        out.writeInt(0);
        out.writeInt(AUTH_SASL);
        while (body.isReadable() && body.getByte(body.readerIndex()) != 0) {
            String mechanism = WireStrings.read(body);
            if (!mechanism.toUpperCase().endsWith(new String(PLUS_SUFFIX, StandardCharsets.US_ASCII))) {
                WireStrings.write(out, mechanism);
            }
        }
        out.writeByte(0);
        out.setInt(1, out.writerIndex() - 1);
        frame.release();
        return out;
    }
}
