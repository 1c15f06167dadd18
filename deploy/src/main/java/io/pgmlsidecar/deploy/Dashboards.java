package io.pgmlsidecar.deploy;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.pgmlsidecar.dashboard.DashboardConfig;
import io.pgmlsidecar.dashboard.DashboardServer;
import io.pgmlsidecar.proxy.tls.ServerTls;
import java.io.IOException;

/**
 * Starts the dashboard beside the sidecar: logins connect to the sidecar's own port (so pgml.* calls
 * are served and the upstream checks the password), it shows the meters of Micrometer's global
 * registry, and it speaks HTTPS with the sidecar's certificate when one is configured.
 */
final class Dashboards {
    private Dashboards() {}

    static DashboardServer start(Main.HostPort at, String sidecarHost, int sidecarPort, String database, SslContext ssl)
            throws IOException {
        // a registry of its own joins the global one: meters already registered are added to it too
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        new JvmMemoryMetrics().bindTo(meters);
        Metrics.addRegistry(meters);
        String connectTo = sidecarHost.equals("0.0.0.0") || sidecarHost.equals("::") ? "127.0.0.1" : sidecarHost;
        DashboardConfig config = DashboardConfig.of(at.host(), at.port(), connectTo, sidecarPort, database, meters);
        if (ssl != null) {
            // ServerTls builds its context with the JDK provider, so the same certificate and key serve HTTPS
            config = config.withTls(new DashboardConfig.Tls(((JdkSslContext) ssl).context(), ServerTls.PROTOCOLS, ServerTls.CIPHERS));
        }
        DashboardServer server = DashboardServer.start(config);
        // the per-model memory gauge is otherwise refreshed only when /metrics is scraped: the serving page must not
        // depend on a Prometheus being there
        Thread.ofPlatform().daemon().name("pgml-dashboard-model-memory").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                io.pgmlsidecar.ml.store.ModelCacheMetrics.publishMemory();
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        System.out.println("dashboard on " + (ssl != null ? "https" : "http") + "://" + at.host() + ":" + server.port() + "/");
        return server;
    }
}
