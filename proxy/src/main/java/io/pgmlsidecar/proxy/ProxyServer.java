package io.pgmlsidecar.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.pgmlsidecar.proxy.intercept.Interceptor;
import io.pgmlsidecar.proxy.session.CancelKeys;
import io.pgmlsidecar.proxy.session.ClientSession;
import io.pgmlsidecar.proxy.session.SessionRegistry;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The listening side: accepts clients and gives each a {@link ClientSession}. */
public final class ProxyServer implements AutoCloseable {

    private final ProxyConfig config;
    private final Interceptor interceptor;
    private final CancelKeys cancelKeys = new CancelKeys();
    private final SessionRegistry sessions = new SessionRegistry();
    private final ByteCounter byteCounter;
    /** Read by the spinning event loops before each spin; -1 while they do not spin (epoll off or started with 0). */
    private final java.util.concurrent.atomic.AtomicLong busyPollNanos = new java.util.concurrent.atomic.AtomicLong(-1);
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private ClientSession.ConsoleDoor consoleDoor;

    public ProxyServer(ProxyConfig config, Interceptor interceptor) {
        this.config = config;
        this.interceptor = interceptor;
        this.byteCounter = new ByteCounter(config.observer());
    }

    /**
     * Turns on the admin console: clients naming {@code settings.database()} are authenticated by the
     * upstream and, if members of the admin role, get the console. Call before {@link #start()}.
     */
    public ProxyServer withAdminConsole(io.pgmlsidecar.proxy.admin.AdminConsoleSettings settings,
                                        io.pgmlsidecar.proxy.admin.ConsoleFacts facts) {
        consoleDoor = new io.pgmlsidecar.proxy.admin.AdminConsoleDoor(settings, facts, sessions,
                config.upstreamHost(), config.upstreamPort());
        return this;
    }

    public ProxyServer start() throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? epollHandlers() : NioIoHandler.newFactory();
        bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        workerGroup = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(), io);
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ClientSession session = new ClientSession(config, interceptor, cancelKeys, sessions, consoleDoor);
                        ProxyObserver observer = config.observer();
                        observer.clientConnected();
                        ch.closeFuture().addListener(f -> observer.clientDisconnected());
                        if (observer != ProxyObserver.NONE) {
                            ch.pipeline().addLast("bytes", byteCounter);
                        }
                        ch.pipeline().addLast("decoder", session.newDecoder());
                        ch.pipeline().addLast("session", session);
                    }
                });
        serverChannel = b.bind(config.listenHost(), config.listenPort()).sync().channel();
        return this;
    }

    private IoHandlerFactory epollHandlers() {
        if (config.busyPoll().isZero()) {
            return EpollIoHandler.newFactory();
        }
        // one spinning loop per two cores leaves the rest to PostgreSQL and the clients
        int spinningSessions = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        busyPollNanos.set(config.busyPoll().toNanos());
        SelectStrategy strategy = new SpinThenBlockSelectStrategy(busyPollNanos::get,
                () -> sessions.onlyFewRelayingSessions(spinningSessions));
        return EpollIoHandler.newFactory(0, () -> strategy);
    }

    /**
     * Changes how long the network threads poll before sleeping, live. False when they were started
     * without polling (busy poll 0, or no epoll): then it takes a restart.
     */
    public boolean setBusyPoll(java.time.Duration poll) {
        long nanos = poll.toNanos();
        return busyPollNanos.getAndUpdate(current -> current < 0 ? current : nanos) >= 0;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    /** Tasks queued on the network threads, summed: a loop that falls behind shows here first. */
    public int pendingEventLoopTasks() {
        int pending = 0;
        if (workerGroup != null) {
            for (io.netty.util.concurrent.EventExecutor e : workerGroup) {
                if (e instanceof io.netty.util.concurrent.SingleThreadEventExecutor loop) {
                    pending += loop.pendingTasks();
                }
            }
        }
        return pending;
    }

    /**
     * Graceful stop: no new connections; idle sessions are closed at once, busy ones when their
     * statement ends, and whatever is left after the grace period is closed anyway.
     */
    public void shutdownGracefully() throws InterruptedException {
        if (serverChannel != null) {
            serverChannel.close().sync();
        }
        for (ClientSession s : sessions.snapshot()) {
            s.runOnEventLoop(s::beginShutdown);
        }
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        while (sessions.size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        for (ClientSession s : sessions.snapshot()) {
            s.runOnEventLoop(s::forceClose);
        }
        long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (sessions.size() > 0 && System.nanoTime() < closeDeadline) {
            Thread.sleep(20);
        }
        close();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
