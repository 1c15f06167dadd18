package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames what a client sends. Before the StartupMessage it reads untyped startup packets
 * (SSLRequest, GSSENCRequest, CancelRequest, StartupMessage); after it, typed messages through
 * a {@link MessageFramer}.
 */
public final class FrontendDecoder extends ByteToMessageDecoder {

    /** Same cap as PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
    public static final int MAX_STARTUP_PACKET_LENGTH = 10_000;

    public enum State { STARTUP, MESSAGES }

    private State state = State.STARTUP;
    private final MessageFramer framer;

    public FrontendDecoder(MessageClassifier classifier, int maxMessageLength) {
        this.framer = new MessageFramer(classifier, maxMessageLength);
    }

    public State state() {
        return state;
    }

    /** True when bytes the client sent are waiting in the decoder (e.g. after an SSLRequest). */
    public boolean hasBufferedBytes() {
        return actualReadableBytes() > 0;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.MESSAGES) {
            framer.decode(in, out);
            return;
        }
        if (in.readableBytes() < 8) {
            if (in.readableBytes() >= 4) {
                checkStartupLength(in.getInt(in.readerIndex()));
            }
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start);
        checkStartupLength(length);
        if (in.readableBytes() < length) {
            return;
        }
        int code = in.getInt(start + 4);
        switch (code) {
            case StartupPacket.SSL_REQUEST_CODE -> {
                expectLength(length, 8, "SSLRequest");
                out.add(new StartupPacket.SslRequest());
            }
            case StartupPacket.GSSENC_REQUEST_CODE -> {
                expectLength(length, 8, "GSSENCRequest");
                out.add(new StartupPacket.GssEncRequest());
            }
            case StartupPacket.CANCEL_REQUEST_CODE -> {
                if (length < 16 || length > 8 + 4 + 256) {
                    throw new ProtocolViolation("invalid length of cancel request packet");
                }
                byte[] key = new byte[length - 12];
                in.getBytes(start + 12, key);
                out.add(new StartupPacket.CancelRequest(in.getInt(start + 8), key));
            }
            default -> {
                int major = code >>> 16;
                int minor = code & 0xffff;
                out.add(new StartupPacket.StartupMessage(major, minor, in.retainedSlice(start, length)));
                state = State.MESSAGES;
            }
        }
        in.readerIndex(start + length);
    }

    private static void checkStartupLength(int length) {
        if (length < 8 || length > MAX_STARTUP_PACKET_LENGTH) {
            throw new ProtocolViolation("invalid length of startup packet");
        }
    }

    private static void expectLength(int length, int expected, String what) {
        if (length != expected) {
            throw new ProtocolViolation("invalid length of " + what + " packet");
        }
    }
}
