package io.pgmlsidecar.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's HTTP side without a database: the bundled page, and the API's answers before a
 * login (the suite's DashboardBrowserTest covers everything after one, against a real PostgreSQL).
 */
class DashboardServerTest {
    private static DashboardServer server;
    private static int closedPort;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        // logins go to a port nothing listens on
        server = DashboardServer.start(DashboardConfig.of("127.0.0.1", 0, "127.0.0.1", closedPort, "postgres", new SimpleMeterRegistry()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theBundledFrontEndIsServedAndUnknownPathsGetTheSamePage() throws Exception {
        HttpResponse<String> index = get("/");
        assertEquals(200, index.statusCode());
        assertTrue(index.body().contains("<title>pgml-sidecar dashboard</title>"), index.body());
        assertTrue(index.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertEquals("DENY", index.headers().firstValue("X-Frame-Options").orElse(""));
        String script = index.body().replaceAll("(?s).*src=\"\\./(assets/[^\"]+\\.js)\".*", "$1");
        HttpResponse<String> js = get("/" + script);
        assertEquals(200, js.statusCode(), script);
        assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertEquals(index.body(), get("/projects/7").body(), "the page routes in the browser");
        assertEquals(index.body(), get("/../../etc/passwd").body(), "no way out of the bundle");
    }

    @Test
    void theApiWantsALoginFirst() throws Exception {
        HttpResponse<String> r = get("/api/projects");
        assertEquals(401, r.statusCode());
        JsonNode body = new ObjectMapper().readTree(r.body());
        assertEquals("not logged in", body.path("error").asText());
        assertTrue(body.path("hint").asText().contains("log in"));
        assertEquals(401, post("/api/sql", "application/json", "{\"sql\":\"SELECT 1\"}", "pgml_dashboard=forged").statusCode());
    }

    @Test
    void aLoginMustBeJsonAndReportsAnUnreachableDatabaseAsPostgresqlWould() throws Exception {
        assertEquals(415, post("/api/login", "text/plain", "role=postgres", null).statusCode());
        assertEquals(405, get("/api/login").statusCode());
        assertEquals(400, post("/api/login", "application/json", "[1]", null).statusCode());
        HttpResponse<String> r = post("/api/login", "application/json", "{\"role\":\"postgres\",\"password\":\"x\"}", null);
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("08001", new ObjectMapper().readTree(r.body()).path("sqlstate").asText(), r.body());
        assertTrue(r.headers().firstValue("Set-Cookie").isEmpty(), "no session without a connection");
        assertEquals(0, server.sessions());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String type, String body, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
