package io.pgmlsidecar.it.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.it.support.ExternalProcess;
import io.pgmlsidecar.it.support.TestCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged sidecar with {@code --dashboard-listen} and a TLS certificate: the dashboard answers
 * over HTTPS with that certificate and the sidecar's cipher suites, serves the bundled front end from the jar,
 * and its login goes through the sidecar to the upstream.
 */
class DashboardOptionTest {
    private static final Path JAR = Path.of("..", "deploy", "target", "pgml-sidecar.jar").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theDashboardIsServedOverHttpsWithTheSidecarsCertificate() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build the deploy module's jar (mvn package)");
        TestCluster cluster = TestCluster.get();
        Path cert = dir.resolve("c.pem");
        Path key = dir.resolve("k.pem");
        ExternalProcess.Result openssl = ExternalProcess.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1"), Map.of(), dir, Duration.ofSeconds(60));
        assertEquals(0, openssl.exitCode(), openssl.toString());
        int sidecarPort = freePort();
        int dashboardPort = freePort();
        Process process = new ProcessBuilder(java(), "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString(),
                "--listen", "127.0.0.1:" + sidecarPort, "--no-warm-up",
                "--upstream", "postgresql://postgres@127.0.0.1:" + cluster.postgresPort() + "/postgres",
                "--tls-cert", cert.toString(), "--tls-key", key.toString(),
                "--dashboard-listen", "127.0.0.1:" + dashboardPort).redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<String> announced = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> readLines(process.getInputStream(), output, announced));
        try {
            String line = announced.get(90, TimeUnit.SECONDS);
            assertNotNull(line, "no dashboard line:\n" + String.join("\n", output));
            assertTrue(line.contains("https://127.0.0.1:" + dashboardPort + "/"), line);

            HttpClient client = HttpClient.newBuilder().sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(10)).build();
            String base = "https://127.0.0.1:" + dashboardPort;
            HttpResponse<String> index = client.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, index.statusCode());
            // the sidecar's TLS profile holds here too
            String suite = index.sslSession().orElseThrow().getCipherSuite();
            assertTrue(io.pgmlsidecar.proxy.tls.ServerTls.CIPHERS.contains(suite), suite);
            assertTrue(index.body().contains("pgml-sidecar dashboard"), index.body());
            assertTrue(index.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));

            HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(base + "/api/login"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"role\":\"postgres\",\"password\":\"\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, login.statusCode(), login.body());
            String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("Secure") && setCookie.contains("SameSite=Strict"), setCookie);
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));

            // the console's statement runs through the sidecar: pgml.version() exists only there
            JsonNode session = new ObjectMapper().readTree(login.body());
            HttpResponse<String> sql = client.send(HttpRequest.newBuilder(URI.create(base + "/api/sql"))
                    .header("Content-Type", "application/json").header("Cookie", cookie)
                    .header("X-CSRF-Token", session.path("csrf_token").asText())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sql\":\"SELECT pgml.version()\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, sql.statusCode(), sql.body());
            assertTrue(sql.body().contains(io.pgmlsidecar.planner.SidecarVersion.get()), sql.body());

            // a model loaded by a statement appears with its memory on the serving page, with no /metrics scrape in between
            HttpResponse<String> embed = client.send(HttpRequest.newBuilder(URI.create(base + "/api/sql"))
                    .header("Content-Type", "application/json").header("Cookie", cookie)
                    .header("X-CSRF-Token", session.path("csrf_token").asText())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sql\":\"SELECT pgml.embed('intfloat/e5-small-v2', 'hello')\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, embed.statusCode(), embed.body());
            String serving = "";
            for (int i = 0; i < 50 && !(serving.contains("pgml.model.memory") && serving.contains("intfloat/e5-small-v2")); i++) {
                Thread.sleep(200);
                serving = client.send(HttpRequest.newBuilder(URI.create(base + "/api/serving")).header("Cookie", cookie).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            }
            assertTrue(serving.contains("pgml.model.memory") && serving.contains("intfloat/e5-small-v2"), serving);

            // the same request without the token is refused
            HttpResponse<String> forged = client.send(HttpRequest.newBuilder(URI.create(base + "/api/sql"))
                    .header("Content-Type", "application/json").header("Cookie", cookie)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sql\":\"SELECT 1\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, forged.statusCode(), forged.body());

        } finally {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static void readLines(InputStream in, List<String> output, CompletableFuture<String> announced) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.add(line);
                if (line.startsWith("dashboard on ")) {
                    announced.complete(line);
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        }
        announced.complete(null);
    }

    private static SSLContext trusting(Path certificate) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            store.setCertificateEntry("sidecar", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String java() {
        String home = System.getenv("JAVA_HOME");
        if (home == null || !Files.isExecutable(Path.of(home, "bin", "java"))) {
            home = System.getProperty("java.home");
        }
        return Path.of(home, "bin", "java").toString();
    }
}
