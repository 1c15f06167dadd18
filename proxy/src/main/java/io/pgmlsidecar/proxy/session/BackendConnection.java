package io.pgmlsidecar.proxy.session;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.pgmlsidecar.proxy.codec.BackendDecoder;
import io.pgmlsidecar.proxy.codec.MessageClassifier;
import java.time.Duration;

/** Opens the session's connection to the upstream PostgreSQL, on the client's own event loop. */
final class BackendConnection {

    private BackendConnection() {}

    interface Listener {
        void onBackendRead(Object msg);

        void onBackendReadComplete();

        void onBackendClosed();

        void onBackendWritabilityChanged(boolean writable);

        void onBackendFailure(Throwable cause);
    }

    static ChannelFuture connect(EventLoop loop, String host, int port, Duration timeout,
                                 MessageClassifier classifier, int maxMessageLength, Listener listener) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .handler(new ChannelInitializer<Channel>() {
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
                });
        return b.connect(host, port);
    }
}
