package io.pgmlsidecar.proxy.session;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;

/** How a session reaches its PostgreSQL: the session's own connection, and one per forwarded cancel. */
interface Upstream {

    /** Connects on the client's event loop; {@code handlers} is the backend connection's pipeline. */
    ChannelFuture connect(EventLoop loop, ChannelHandler handlers);

    /** A connection that carries one CancelRequest; PostgreSQL closes it once it signalled the backend. */
    ChannelFuture connectForCancel(EventLoop loop);

    /** The PostgreSQL at {@code host:port} over TCP. */
    static Upstream tcp(String host, int port, Duration connectTimeout) {
        return new Upstream() {
            @Override
            public ChannelFuture connect(EventLoop loop, ChannelHandler handlers) {
                return bootstrap(loop).option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                        .handler(handlers)
                        .connect(host, port);
            }

            @Override
            public ChannelFuture connectForCancel(EventLoop loop) {
                return bootstrap(loop).handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {}
                }).connect(host, port);
            }
        };
    }

    private static Bootstrap bootstrap(EventLoop loop) {
        return new Bootstrap().group(loop)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class);
    }
}
