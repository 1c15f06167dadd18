package io.pgmlsidecar.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.pgmlsidecar.proxy.codec.PgMessage;

/**
 * Writes to the session's backend connection, flushing once per batch of writes. Used by whoever
 * owns the session: the event loop on the fast path, the worker while the session is intercepted.
 */
final class BackendOutput {

    private final Channel channel;
    private final ProtocolState state;
    private boolean flushPending;

    BackendOutput(Channel channel, ProtocolState state) {
        this.channel = channel;
        this.state = state;
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** Queues bytes for the backend; takes ownership of {@code message}. */
    void write(ByteBuf message) {
        state.backendTouched();
        channel.write(message, channel.voidPromise());
        flushPending = true;
    }

    /** Sends a client message on unchanged; the backend's replies to it are now awaited. */
    void relay(PgMessage m) {
        state.sent(m.type(), m.frame().readableBytes() - PgMessage.HEADER_LENGTH);
        write(m.frame().retain());
    }

    /** Pushes what was written since the last flush to the socket. */
    void flush() {
        if (flushPending) {
            flushPending = false;
            channel.flush();
        }
    }

    void close() {
        channel.close();
    }
}
