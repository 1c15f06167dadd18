package io.pgmlsidecar.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.pgmlsidecar.proxy.intercept.ClientWriter;

/**
 * The client connection as the intercept worker writes it. The worker runs on a virtual thread,
 * so a send may block while the client's socket is full (backpressure) instead of buffering
 * without bound.
 */
final class ClientOutput implements ClientWriter {

    private final Channel channel;
    private final WritabilityGate writable = new WritabilityGate();

    ClientOutput(Channel channel) {
        this.channel = channel;
    }

    /** The event loop saw the client's socket fill or drain. */
    void writabilityChanged(boolean isWritable) {
        writable.set(isWritable);
    }

    /** The client is gone: a worker waiting to write goes on (and its writes fail quietly). */
    void closed() {
        writable.close();
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public void send(ByteBuf message) {
        if (!channel.isWritable()) {
            channel.flush();
            try {
                writable.awaitWritable();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        channel.write(message, channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }
}
