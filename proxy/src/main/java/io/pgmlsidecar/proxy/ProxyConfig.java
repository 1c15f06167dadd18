package io.pgmlsidecar.proxy;

import io.netty.handler.ssl.SslContext;
import java.time.Duration;

/**
 * How the proxy listens and where it relays.
 *
 * @param sslContext server TLS context, or null to answer SSLRequest with 'N'
 * @param maxMessageLength longest frontend or backend message accepted (PostgreSQL's own cap is 1 GiB)
 * @param authenticationTimeout a client that is not through authentication by then is disconnected
 * @param shutdownGrace how long SIGTERM lets running statements finish
 * @param busyPoll how long an event loop polls its sockets before it sleeps (zero: it sleeps at once)
 * @param observer told of connections, bytes and relayed statements (metrics)
 */
public record ProxyConfig(String listenHost, int listenPort, String upstreamHost, int upstreamPort,
                          SslContext sslContext, int maxMessageLength, Duration authenticationTimeout,
                          Duration upstreamConnectTimeout, Duration shutdownGrace, int eventLoopThreads,
                          Duration busyPoll, ProxyObserver observer) {

    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 0x3fffffff;
    public static final Duration DEFAULT_BUSY_POLL = Duration.ofNanos(200_000);

    public static ProxyConfig of(String listenHost, int listenPort, String upstreamHost, int upstreamPort) {
        return new ProxyConfig(listenHost, listenPort, upstreamHost, upstreamPort, null, DEFAULT_MAX_MESSAGE_LENGTH,
                Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30),
                Runtime.getRuntime().availableProcessors(), DEFAULT_BUSY_POLL, ProxyObserver.NONE);
    }

    public ProxyConfig withSsl(SslContext context) {
        return new ProxyConfig(listenHost, listenPort, upstreamHost, upstreamPort, context, maxMessageLength,
                authenticationTimeout, upstreamConnectTimeout, shutdownGrace, eventLoopThreads, busyPoll, observer);
    }

    public ProxyConfig withListenPort(int port) {
        return new ProxyConfig(listenHost, port, upstreamHost, upstreamPort, sslContext, maxMessageLength,
                authenticationTimeout, upstreamConnectTimeout, shutdownGrace, eventLoopThreads, busyPoll, observer);
    }

    public ProxyConfig withAuthenticationTimeout(Duration timeout) {
        return new ProxyConfig(listenHost, listenPort, upstreamHost, upstreamPort, sslContext, maxMessageLength,
                timeout, upstreamConnectTimeout, shutdownGrace, eventLoopThreads, busyPoll, observer);
    }

    public ProxyConfig withShutdownGrace(Duration grace) {
        return new ProxyConfig(listenHost, listenPort, upstreamHost, upstreamPort, sslContext, maxMessageLength,
                authenticationTimeout, upstreamConnectTimeout, grace, eventLoopThreads, busyPoll, observer);
    }

    public ProxyConfig withEventLoopThreads(int threads) {
        return new ProxyConfig(listenHost, listenPort, upstreamHost, upstreamPort, sslContext, maxMessageLength,
                authenticationTimeout, upstreamConnectTimeout, shutdownGrace, threads, busyPoll, observer);
    }

    public ProxyConfig withBusyPoll(Duration poll) {
        return new ProxyConfig(listenHost, listenPort, upstreamHost, upstreamPort, sslContext, maxMessageLength,
                authenticationTimeout, upstreamConnectTimeout, shutdownGrace, eventLoopThreads, poll, observer);
    }

    public ProxyConfig withObserver(ProxyObserver o) {
        return new ProxyConfig(listenHost, listenPort, upstreamHost, upstreamPort, sslContext, maxMessageLength,
                authenticationTimeout, upstreamConnectTimeout, shutdownGrace, eventLoopThreads, busyPoll, o);
    }
}
