package io.pgmlsidecar.proxy.admin;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/** Whole typed messages (type byte, length, body) off a stream: the console needs no fast path. */
final class Frames {
    private Frames() {}

    /** The longest message the console reads; its commands and the authentication exchange are short. */
    static final int MAX_MESSAGE_LENGTH = 1 << 20;

    static LengthFieldBasedFrameDecoder decoder() {
        // the length word counts itself but not the type byte in front of it
        return new LengthFieldBasedFrameDecoder(MAX_MESSAGE_LENGTH, 1, 4, -4, 0);
    }
}
