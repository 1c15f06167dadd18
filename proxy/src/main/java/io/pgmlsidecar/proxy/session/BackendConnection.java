package io.pgmlsidecar.proxy.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.pgmlsidecar.proxy.codec.BackendDecoder;
import io.pgmlsidecar.proxy.codec.MessageClassifier;

/** The pipeline of the session's connection to the upstream PostgreSQL, and what it tells the session. */
final class BackendConnection {

    private BackendConnection() {}

    interface Listener {
        void onBackendRead(Object msg);

        void onBackendReadComplete();

        void onBackendClosed();

        void onBackendWritabilityChanged(boolean writable);

        void onBackendFailure(Throwable cause);
    }

    /** The backend connection's pipeline: framing, then the session's listener. */
    static ChannelInitializer<Channel> handlers(MessageClassifier classifier, int maxMessageLength, Listener listener) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("decoder", new BackendDecoder(classifier, maxMessageLength));
                ch.pipeline().addLast("session", new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        listener.onBackendRead(msg);
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        listener.onBackendReadComplete();
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        listener.onBackendClosed();
                    }

                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        listener.onBackendWritabilityChanged(ctx.channel().isWritable());
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        listener.onBackendFailure(cause);
                    }
                });
            }
        };
    }
}
