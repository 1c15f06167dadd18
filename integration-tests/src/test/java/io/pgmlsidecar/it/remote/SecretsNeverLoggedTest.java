package io.pgmlsidecar.it.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import io.pgmlsidecar.it.support.EndpointStandIn;
import io.pgmlsidecar.it.support.EndpointStandIn.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * An endpoint key set through the sidecar never reaches PostgreSQL's server log, even with every
 * statement and its bound parameters logged (PostgreSQL only ever receives the ciphertext), nor the
 * sidecar's own output at debug level, on the paths that succeed and on those that fail.
 */
class SecretsNeverLoggedTest {
    private static final String KEY = "sk-log-canary-7f3a9c2e41b8d6";

    private static final Path JAR = Path.of("..", "deploy", "target", "pgml-sidecar.jar").toAbsolutePath().normalize();

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    void keyAbsentFromTheServerLogAndTheSidecarOutput() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build it with mvn install (the deploy module)");
        Path data = Files.createTempDirectory("pgml-sidecar-it-logged-");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0, Map.of(
                "logging_collector", "on", "log_directory", "log", "log_statement", "all",
                "log_min_duration_statement", "0", "log_parameter_max_length", "-1"));
             EndpointStandIn endpoint = new EndpointStandIn()) {
            int port;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Process sidecar = new ProcessBuilder(java(), "--enable-native-access=ALL-UNNAMED",
                    "-jar", JAR.toString(), "--log-level", "debug", "--listen", "127.0.0.1:" + port,
                    "--upstream", "postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres", "--remote-allow", "127.0.0.1",
                    "--secrets-key", io.pgmlsidecar.planner.remote.SettingsCipher.newKeyBase64()).redirectErrorStream(true).start();
            StringBuffer output = new StringBuffer();
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
            Thread.ofPlatform().daemon().start(() -> {
                try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(sidecar.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        output.append(line).append('\n');
                        if (line.startsWith("pgml-sidecar") && line.contains(" ready on ")) {
                            ready.countDown();
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            assertTrue(ready.await(90, java.util.concurrent.TimeUnit.SECONDS), "the sidecar did not start:\n" + output);
            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            // the first call succeeds, the second is refused, the third fails on the endpoint's side
            endpoint.answer(r -> switch (calls.incrementAndGet()) {
                case 1 -> Reply.json("[1]");
                case 2 -> new Reply(401, "{\"error\": \"bad key\"}", 0, Map.of());
                default -> new Reply(500, "oops", 0, Map.of());
            });
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                try (PreparedStatement ps = c.prepareStatement("SELECT azure_ai.set_setting('azure_ml.scoring_endpoint', ?)")) {
                    ps.setString(1, endpoint.url("/score"));
                    ps.executeQuery().close();
                }
                s.executeQuery("SELECT azure_ai.set_setting('azure_ml.endpoint_key', '" + KEY + "')").close();
                try (PreparedStatement ps = c.prepareStatement("SELECT azure_ai.set_setting('azure_ml.endpoint_key', ?)")) {
                    ps.setString(1, KEY);
                    ps.executeQuery().close();
                }
                try (ResultSet rs = s.executeQuery("SELECT azure_ml.invoke('{\"data\": [1]}')")) {
                    assertTrue(rs.next());
                    assertEquals("[1]", rs.getString(1));
                }
                assertEquals("Bearer " + KEY, endpoint.requests().get(0).header("Authorization"), "the key was used");
                for (int i = 0; i < 2; i++) {
                    try (ResultSet rs = s.executeQuery("SELECT azure_ml.invoke('{\"data\": [1]}', throw_on_error => false)")) {
                        assertTrue(rs.next());
                        assertEquals(null, rs.getString(1), "a failed call gives NULL with a warning");
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT azure_ai.get_setting('azure_ml.endpoint_key')")) {
                    assertTrue(rs.next());
                    assertEquals(KEY, rs.getString(1), "a member still reads it back");
                }
            } finally {
                sidecar.destroy();
                sidecar.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertTrue(output.toString().contains("DEBUG"), "the sidecar logged at debug level");
            assertFalse(output.toString().contains(KEY), "the key is not in the sidecar's output:\n" + output);
            String log;
            try (Stream<Path> files = Files.list(data.resolve("log"))) {
                log = files.map(p -> {
                    try {
                        return Files.readString(p);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).collect(Collectors.joining("\n"));
            }
            assertTrue(log.contains("sidecar_settings") || log.contains("sidecar_encrypted_setting"),
                    "the log does hold the sidecar's own statements: " + log.length() + " chars");
            assertFalse(log.contains(KEY), "the key is not in PostgreSQL's log");
        }
    }
}
