package io.pgmlsidecar.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/**
 * {@code /health/live} and {@code /health/ready} against a real PostgreSQL that is stopped and
 * started again under the sidecar: ready follows the upstream, live does not.
 */
class HealthEndpointTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void readinessFollowsTheUpstreamTheCatalogAndDraining() throws Exception {
        Path data = Files.createTempDirectory("pgml-sidecar-health-");
        EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0);
        int pgPort = pg.port();
        // not migrated yet: the first probe that reaches the upstream migrates the catalog
        Readiness readiness = new Readiness(pg.url(), false);
        try (MetricsEndpoint ops = MetricsEndpoint.start("127.0.0.1", 0, readiness)) {
            HttpResponse<String> ready = get(ops, "/health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("\"upstream\":\"ok\"") && ready.body().contains("\"catalog\":\"ok\""), ready.body());
            try (Connection c = DriverManager.getConnection(pg.url().jdbcUrl(), "postgres", "");
                 ResultSet r = c.createStatement().executeQuery("SELECT to_regclass('pgml.sidecar_schema_history') IS NOT NULL")) {
                r.next();
                assertTrue(r.getBoolean(1), "the probe migrated the catalog");
            }

            pg.close();
            HttpResponse<String> down = get(ops, "/health/ready");
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.body().contains("\"status\":\"not ready\"") && down.body().contains("unreachable"), down.body());
            assertEquals(200, get(ops, "/health/live").statusCode(), "an upstream outage is no reason to restart the sidecar");

            pg = EmbeddedPostgresServer.start(data, pgPort);
            HttpResponse<String> back = get(ops, "/health/ready");
            assertEquals(200, back.statusCode(), back.body());

            readiness.startDraining();
            HttpResponse<String> draining = get(ops, "/health/ready");
            assertEquals(503, draining.statusCode(), draining.body());
            assertTrue(draining.body().contains("\"draining\":\"yes\"") && draining.body().contains("\"upstream\":\"ok\""), draining.body());
            assertEquals(200, get(ops, "/health/live").statusCode());
        } finally {
            pg.close();
        }
    }

    private static HttpResponse<String> get(MetricsEndpoint ops, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
