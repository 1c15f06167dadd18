package io.pgmlsidecar.deploy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgmlsidecar.proxy.ProxyObserver;
import io.pgmlsidecar.proxy.ProxyServer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The proxy's events as Micrometer meters: client and backend connections (now, opened, refused by
 * reason), bytes to and from clients, relayed statements (under the same name as the served ones,
 * {@code route="relayed"}), and, once the server runs, how busy its workers and network threads are.
 * Every meter is created up front, so the event loops only increment.
 */
final class ProxyMetrics implements ProxyObserver {

    private final MeterRegistry registry;
    private final AtomicLong clients = new AtomicLong();
    private final AtomicLong backends = new AtomicLong();
    private final Counter clientsOpened;
    private final Counter backendsOpened;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter relayedSimple;
    private final Counter relayedExtended;
    private final ConcurrentHashMap<String, Counter> refused = new ConcurrentHashMap<>();
    private final io.micrometer.core.instrument.Timer relayedTime;

    ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("pgml.sidecar.client.connections", clients, AtomicLong::get).description("client connections open now")
                .register(registry);
        Gauge.builder("pgml.sidecar.backend.connections", backends, AtomicLong::get)
                .description("connections to the upstream PostgreSQL open now (one per client session)").register(registry);
        clientsOpened = Counter.builder("pgml.sidecar.client.connections.opened").description("client connections accepted")
                .register(registry);
        backendsOpened = Counter.builder("pgml.sidecar.backend.connections.opened").description("upstream connections made")
                .register(registry);
        bytesIn = Counter.builder("pgml.sidecar.client.received").baseUnit("bytes").description("bytes read from clients")
                .register(registry);
        bytesOut = Counter.builder("pgml.sidecar.client.sent").baseUnit("bytes").description("bytes written to clients")
                .register(registry);
        relayedSimple = relayed("simple");
        relayedExtended = relayed("extended");
        // the same series as the served statements' times, route="relayed", so one histogram_quantile covers both
        relayedTime = io.micrometer.core.instrument.Timer.builder("pgml.sidecar.statement.duration")
                .description("time of a statement: served (a simple query, or one Execute), or relayed (to its ReadyForQuery)")
                .tag("route", "relayed").tag("strategy", "none").publishPercentileHistogram().register(registry);
        refusedCounter("upstream_unreachable");
    }

    private Counter relayed(String protocol) {
        return Counter.builder("pgml.sidecar.statements").description("statements by route: relayed to PostgreSQL or served by the sidecar")
                .tag("route", "relayed").tag("strategy", "none").tag("protocol", protocol).register(registry);
    }

    private Counter refusedCounter(String reason) {
        return refused.computeIfAbsent(reason, r -> Counter.builder("pgml.sidecar.client.connections.refused")
                .description("clients turned away before they had a session, by reason").tag("reason", r).register(registry));
    }

    /** Gauges over the running server: sessions on interceptor workers, queued network-thread tasks. */
    void bind(ProxyServer server) {
        Gauge.builder("pgml.sidecar.sessions.intercepting", server, s -> s.sessions().interceptingCount())
                .description("sessions whose statement a worker (virtual thread) is serving now").register(registry);
        Gauge.builder("pgml.sidecar.event.loop.pending.tasks", server, ProxyServer::pendingEventLoopTasks)
                .description("tasks queued on the network threads").register(registry);
    }

    @Override
    public void relayedStatementTook(boolean extended, long nanos) {
        relayedTime.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public void clientConnected() {
        clients.incrementAndGet();
        clientsOpened.increment();
    }

    @Override
    public void clientDisconnected() {
        clients.decrementAndGet();
    }

    @Override
    public void clientRefused(String reason) {
        refusedCounter(reason).increment();
    }

    @Override
    public void backendConnected() {
        backends.incrementAndGet();
        backendsOpened.increment();
    }

    @Override
    public void backendDisconnected() {
        backends.decrementAndGet();
    }

    @Override
    public void bytesFromClients(long bytes) {
        bytesIn.increment(bytes);
    }

    @Override
    public void bytesToClients(long bytes) {
        bytesOut.increment(bytes);
    }

    @Override
    public void statementRelayed(boolean extended) {
        (extended ? relayedExtended : relayedSimple).increment();
    }
}
