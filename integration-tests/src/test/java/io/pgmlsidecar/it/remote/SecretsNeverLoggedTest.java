package io.pgmlsidecar.it.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.catalog.CatalogMigrator;
import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import io.pgmlsidecar.it.support.EndpointStandIn;
import io.pgmlsidecar.it.support.EndpointStandIn.Reply;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.proxy.ProxyServer;
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
 * statement and its bound parameters logged: PostgreSQL only ever receives the ciphertext.
 */
class SecretsNeverLoggedTest {
    private static final String KEY = "sk-log-canary-7f3a9c2e41b8d6";

    @Test
    void keyAbsentFromTheServerLogWhileItIsUsed() throws Exception {
        Path data = Files.createTempDirectory("pgml-sidecar-it-logged-");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0, Map.of(
                "logging_collector", "on", "log_directory", "log", "log_statement", "all",
                "log_min_duration_statement", "0", "log_parameter_max_length", "-1"));
             EndpointStandIn endpoint = new EndpointStandIn()) {
            CatalogMigrator.migrate("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
            ProxyServer sidecar = TestCluster.startSidecar(pg.port(), null);
            endpoint.answer(r -> Reply.json("[1]"));
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres", "postgres", "");
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
            } finally {
                sidecar.close();
            }
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
