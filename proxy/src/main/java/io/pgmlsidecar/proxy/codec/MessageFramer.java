package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Splits a byte stream of typed messages (type byte + int32 length) into relay chunks and
 * attention messages. Consecutive relayable messages leave as one slice of the input, so the
 * fast path costs one buffer object per read, not one per message. A large message that needs
 * no attention streams through as it arrives instead of being buffered whole.
 */
public final class MessageFramer {

    /** Messages up to this size are buffered whole even when they could stream. */
    static final int STREAM_THRESHOLD = 64 * 1024;

    private final MessageClassifier classifier;
    private final int maxMessageLength;
    /** Bytes of a streamed message still to pass through; 0 when between messages. */
    private long passThroughRemaining;

    public MessageFramer(MessageClassifier classifier, int maxMessageLength) {
        this.classifier = classifier;
        this.maxMessageLength = maxMessageLength;
    }

    /** True unless part of a streamed message has passed and the rest is still to come. */
    public boolean betweenMessages() {
        return passThroughRemaining == 0;
    }

    /**
     * Consumes what it can from {@code in}. Emits at most one {@link PgMessage}, as the last
     * element, so the session can change its classification before the next message is read.
     */
    public void decode(ByteBuf in, List<Object> out) {
        int chunkStart = in.readerIndex();
        int pos = chunkStart;
        int end = in.writerIndex();
        if (passThroughRemaining > 0) {
            int n = (int) Math.min(passThroughRemaining, end - pos);
            passThroughRemaining -= n;
            pos += n;
            if (passThroughRemaining > 0) {
                emitChunk(in, chunkStart, pos, out);
                return;
            }
        }
        while (end - pos >= PgMessage.HEADER_LENGTH) {
            byte type = in.getByte(pos);
            int length = in.getInt(pos + 1);
            if (length < 4 || length > maxMessageLength) {
                emitChunk(in, chunkStart, pos, out);
                throw new ProtocolViolation("invalid message length " + Integer.toUnsignedString(length)
                        + " for message type '" + printable(type) + "'");
            }
            int frameLength = length + 1;
            boolean mayNeed = classifier.mayNeedAttention(type);
            if (!mayNeed && frameLength > STREAM_THRESHOLD) {
                classifier.observe(type, length);
                int available = end - pos;
                if (available >= frameLength) {
                    pos += frameLength;
                    continue;
                }
                passThroughRemaining = frameLength - available;
                pos = end;
                break;
            }
            if (end - pos < frameLength) {
                break;
            }
            if (mayNeed && classifier.needsAttention(type, in, pos, frameLength)) {
                emitChunk(in, chunkStart, pos, out);
                out.add(new PgMessage(type, in.retainedSlice(pos, frameLength)));
                in.readerIndex(pos + frameLength);
                return;
            }
            classifier.observe(type, length);
            pos += frameLength;
        }
        emitChunk(in, chunkStart, pos, out);
    }

    private static void emitChunk(ByteBuf in, int from, int to, List<Object> out) {
        if (to > from) {
            out.add(new RelayChunk(in.retainedSlice(from, to - from)));
        }
        in.readerIndex(to);
    }

    static String printable(byte type) {
        return type >= 0x20 && type < 0x7f ? String.valueOf((char) type) : String.format("\\x%02x", type & 0xff);
    }
}
