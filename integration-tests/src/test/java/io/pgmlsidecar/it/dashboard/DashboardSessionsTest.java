package io.pgmlsidecar.it.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgmlsidecar.dashboard.DashboardConfig;
import io.pgmlsidecar.dashboard.DashboardServer;
import io.pgmlsidecar.it.support.TestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A dashboard login is one upstream connection (through the sidecar): it is closed when the login
 * goes idle past its limit or logs out, and a connection PostgreSQL ended ends the login.
 */
class DashboardSessionsTest {
    private static final TestCluster CLUSTER = TestCluster.get();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anIdleLoginExpiresAndItsConnectionIsClosed() throws Exception {
        try (DashboardServer dashboard = start(Duration.ofSeconds(1))) {
            String cookie = logIn(dashboard, "dash_idle");
            assertEquals(1, dashboardBackends("dash_idle"), "the login holds one connection upstream");
            assertEquals(200, get(dashboard, "/api/session", cookie).statusCode());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (dashboardBackends("dash_idle") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(0, dashboardBackends("dash_idle"), "the idle login's connection was closed");
            assertEquals(0, dashboard.sessions());
            assertEquals(401, get(dashboard, "/api/session", cookie).statusCode());
        }
    }

    @Test
    void aConnectionEndedByPostgresqlEndsTheLoginAndLogOutClosesOne() throws Exception {
        try (DashboardServer dashboard = start(Duration.ofMinutes(5))) {
            String cookie = logIn(dashboard, "dash_dropped");
            try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgml-dashboard' "
                        + "AND usename = 'dash_dropped'");
            }
            HttpResponse<String> r = get(dashboard, "/api/projects", cookie);
            assertEquals(401, r.statusCode(), r.body());
            JsonNode body = JSON.readTree(r.body());
            assertEquals("57P01", body.path("sqlstate").asText(), "PostgreSQL's reason: " + r.body());
            assertTrue(body.path("hint").asText().contains("log in again"), r.body());
            assertEquals(0, dashboard.sessions());

            String again = logIn(dashboard, "dash_dropped");
            String token = JSON.readTree(get(dashboard, "/api/session", again).body()).path("csrf_token").asText();
            HttpResponse<String> out = CLIENT.send(HttpRequest.newBuilder(URI.create(base(dashboard) + "/api/logout"))
                    .header("Cookie", again).header("X-CSRF-Token", token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, out.statusCode(), out.body());
            assertTrue(out.headers().firstValue("Set-Cookie").orElse("").contains("Max-Age=0"));
            assertEquals(0, dashboard.sessions());
            assertEquals(0, dashboardBackends("dash_dropped"));
        }
    }

    private static DashboardServer start(Duration idle) throws Exception {
        return DashboardServer.start(DashboardConfig.of("127.0.0.1", 0, "127.0.0.1", CLUSTER.sidecarPort(), "postgres",
                new SimpleMeterRegistry()).withSessionIdle(idle));
    }

    /** Logs a fresh trusted role in; returns the cookie. */
    private static String logIn(DashboardServer dashboard, String role) throws Exception {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + role);
            s.execute("CREATE ROLE " + role + " LOGIN");
        }
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base(dashboard) + "/api/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"role\":\"" + role + "\",\"password\":\"\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static HttpResponse<String> get(DashboardServer dashboard, String path, String cookie) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base(dashboard) + path)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String base(DashboardServer dashboard) {
        return "http://127.0.0.1:" + dashboard.port();
    }

    private static int dashboardBackends(String role) throws Exception {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgml-dashboard' "
                     + "AND usename = '" + role + "'")) {
            r.next();
            return r.getInt(1);
        }
    }
}
