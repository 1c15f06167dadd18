package io.pgmlsidecar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Metrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The Prometheus endpoint serves the meters components register with Micrometer's global registry. */
class MetricsEndpointTest {
    @Test
    void scrapesGlobalMeters() throws Exception {
        try (MetricsEndpoint m = MetricsEndpoint.start("127.0.0.1", 0)) {
            Metrics.counter("pgml.remote.requests", "endpoint", "it-endpoint", "outcome", "success").increment(3);
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + m.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertTrue(r.body().contains("pgml_remote_requests_total{endpoint=\"it-endpoint\",outcome=\"success\"} 3.0"), r.body());
            assertTrue(r.body().contains("jvm_memory_used_bytes"), "JVM meters too");
        }
    }
}
