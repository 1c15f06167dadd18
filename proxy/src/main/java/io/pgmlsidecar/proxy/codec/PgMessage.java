package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;

/**
 * One whole typed protocol message that needs the session's attention. {@code frame} holds the
 * complete message: type byte, length word and body, so it can still be relayed unchanged.
 */
public record PgMessage(byte type, ByteBuf frame) {

    public static final int HEADER_LENGTH = 5;

    /** The body, after the type byte and the length word (a slice sharing the frame's memory). */
    public ByteBuf body() {
        return frame.slice(frame.readerIndex() + HEADER_LENGTH, frame.readableBytes() - HEADER_LENGTH);
    }
}
