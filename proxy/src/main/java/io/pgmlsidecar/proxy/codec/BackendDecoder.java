package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/** Frames what the upstream PostgreSQL sends: typed messages from the first byte on. */
public final class BackendDecoder extends ByteToMessageDecoder {

    private final MessageFramer framer;

    public BackendDecoder(MessageClassifier classifier, int maxMessageLength) {
        this.framer = new MessageFramer(classifier, maxMessageLength);
    }

    /**
     * True unless the client has been passed the start of a message whose rest has not come: then
     * nothing more can be written to the client without breaking its framing.
     */
    public boolean betweenMessages() {
        return framer.betweenMessages();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        framer.decode(in, out);
    }
}
