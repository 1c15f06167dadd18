package io.pgmlsidecar.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The operations port: {@code GET /metrics} in Prometheus' text format (every meter of Micrometer's
 * global registry, which the sidecar's components register with), {@code /health/live} (the
 * process answers) and {@code /health/ready} (see {@link Readiness}; 503 with the failing checks).
 */
final class MetricsEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrometheusMeterRegistry registry;
    private final HttpServer server;

    private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server) {
        this.registry = registry;
        this.server = server;
    }

    static MetricsEndpoint start(String host, int port) throws IOException {
        return start(host, port, null);
    }

    /** @param readiness null: {@code /health/ready} answers as {@code /health/live} */
    static MetricsEndpoint start(String host, int port, Readiness readiness) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        Metrics.addRegistry(registry);
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/metrics", exchange -> {
            io.pgmlsidecar.ml.store.ModelCacheMetrics.publishMemory(); // the loaded models of this moment
            send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        });
        server.createContext("/health/live", exchange -> send(exchange, 200, "application/json", "{\"status\":\"live\"}"));
        server.createContext("/health/ready", exchange -> {
            if (readiness == null) {
                send(exchange, 200, "application/json", "{\"status\":\"ready\"}");
                return;
            }
            Readiness.Report report = readiness.probe();
            send(exchange, report.ready() ? 200 : 503, "application/json", json(report));
        });
        server.start();
        return new MetricsEndpoint(registry, server);
    }

    private static String json(Readiness.Report report) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", report.ready() ? "ready" : "not ready");
        body.put("checks", report.checks());
        return JSON.writeValueAsString(body);
    }

    private static void send(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        Metrics.removeRegistry(registry);
        registry.close();
    }
}
