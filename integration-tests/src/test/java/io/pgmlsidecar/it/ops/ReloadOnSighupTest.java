package io.pgmlsidecar.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.PrometheusText;
import io.pgmlsidecar.it.support.SidecarProcess;
import io.pgmlsidecar.it.support.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGHUP re-reads the configuration file: the S2 batch size changes in the running sidecar (seen in
 * the batch-size histogram and in the admin console's SHOW CONFIG and SHOW BATCHES), a setting that
 * needs a restart is reported as such, and the session opened before the reload keeps working.
 */
class ReloadOnSighupTest {

    private static final String PROJECT = "it_ops_reload";

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void sighupChangesTheBatchSizeLive() throws Exception {
        TestCluster cluster = TestCluster.get();
        Path config = Files.createTempFile("pgml-sidecar-", ".yaml");
        Files.writeString(config, "select-batch-rows: 100\nshutdown-grace: 5s\nslow-statement: 0\nlog-format: json\nlog-level: info\n");
        try (SidecarProcess sidecar = SidecarProcess.start(cluster.postgresPort(), List.of("--config", config.toString(), "--admin-role", "pg_monitor"), Map.of());
             Connection c = DriverManager.getConnection(sidecar.jdbcUrl(), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_ops_reload_rows");
            s.execute("CREATE TABLE it_ops_reload_rows AS SELECT (g % 5)::real AS a, (g % 5 * 3)::real AS y FROM generate_series(1, 300) g");
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('" + PROJECT + "', 'regression', 'it_ops_reload_rows', 'y', 'linear')")) {
                assertTrue(rs.next());
            }
            predictAll(s);
            PrometheusText before = sidecar.scrape();
            assertEquals(3, before.sum("pgml_call_batch_rows_count", "function", "pgml.predict"), "300 rows in batches of 100");
            assertEquals(0, before.sum("pgml_call_batch_rows_bucket", "function", "pgml.predict", "le", "64.0"));

            // the statement log (every statement: threshold 0) as JSON lines, without SQL text
            String line = sidecar.awaitLine(l -> l.startsWith("{") && l.contains("\"strategy\":\"S2\""), Duration.ofSeconds(10));
            com.fasterxml.jackson.databind.JsonNode event = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            assertEquals("slow_statement", event.get("event").asText());
            assertEquals("postgres", event.get("user").asText());
            assertEquals("postgres", event.get("database").asText());
            assertEquals("extended", event.get("protocol").asText(), "pgjdbc runs the query with the extended protocol: " + line);
            assertTrue(event.get("duration_ms").asDouble() > 0, line);
            assertTrue(event.hasNonNull("session"), line);
            assertTrue(sidecar.output().lines().filter(l -> l.contains("slow_statement")).noneMatch(l -> l.contains("it_ops_reload_rows")),
                    "no statement text in the log");

            Files.writeString(config, "select-batch-rows: 60\nshutdown-grace: 9s\nslow-statement: -1\nlog-format: json\nlog-level: debug\n");
            new ProcessBuilder("kill", "-HUP", Long.toString(sidecar.pid())).inheritIO().start().waitFor();
            sidecar.awaitLine(l -> l.contains("reload: done"), Duration.ofSeconds(20));
            String output = sidecar.output();
            assertTrue(output.contains("reload: select-batch-rows changed from 100 to 60 (applied)"), output);
            assertTrue(output.contains("reload: shutdown-grace changed from 5s to 9s — needs a restart, still 5s"), output);
            assertTrue(output.contains("reload: slow-statement changed from 0 to -1 (applied)"), output);
            assertTrue(output.contains("reload: log-level changed from info to debug (applied)"), output);
            assertTrue(output.lines().noneMatch(l -> l.contains(" DEBUG ")), "nothing below info before the reload");
            // debug lines from now on: the model locator says where it found a model
            try (ResultSet rs = s.executeQuery("SELECT pgml.embed('sentence-transformers/all-MiniLM-L6-v2', 'hello')")) {
                assertTrue(rs.next());
            }
            sidecar.awaitLine(l -> l.contains(" DEBUG ") && l.contains("model 'sentence-transformers/all-MiniLM-L6-v2' resolved"),
                    Duration.ofSeconds(10));

            assertEquals("60", consoleValue(sidecar, "SHOW CONFIG", "key", "select-batch-rows", "value"));
            assertEquals("yes", consoleValue(sidecar, "SHOW CONFIG", "key", "select-batch-rows", "changeable"));
            assertEquals("5s", consoleValue(sidecar, "SHOW CONFIG", "key", "shutdown-grace", "value"), "still the old value until a restart");
            assertEquals("60", consoleValue(sidecar, "SHOW BATCHES", "name", "select-batch-rows", "max_rows"));

            predictAll(s);
            assertEquals("8", consoleValue(sidecar, "SHOW BATCHES", "name", "pgml.predict", "batches"), "3 of 100 rows, then 5 of 60");
            assertEquals("100", consoleValue(sidecar, "SHOW BATCHES", "name", "pgml.predict", "max_rows"));
            assertEquals("tabular", consoleValue(sidecar, "SHOW MODELS", "cache", "tabular", "cache"), "the trained model is loaded");
            PrometheusText after = sidecar.scrape();
            assertEquals(3 + 5, after.sum("pgml_call_batch_rows_count", "function", "pgml.predict"), "then in batches of 60");
            assertEquals(5, after.sum("pgml_call_batch_rows_bucket", "function", "pgml.predict", "le", "64.0"), after.toString());
        } finally {
            Files.deleteIfExists(config);
        }
    }

    /** One value of a console table, through pgjdbc's simple protocol as the superuser (a member of every role). */
    private static String consoleValue(SidecarProcess sidecar, String command, String keyColumn, String key, String column)
            throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port()
                + "/pgml_sidecar?preferQueryMode=simple", "postgres", "");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(command)) {
            while (rs.next()) {
                if (key.equals(rs.getString(keyColumn))) {
                    return rs.getString(column);
                }
            }
        }
        throw new AssertionError(command + " has no row " + keyColumn + " = " + key);
    }

    private static void predictAll(Statement s) throws Exception {
        int n = 0;
        try (ResultSet rs = s.executeQuery("SELECT pgml.predict('" + PROJECT + "', ARRAY[a]) FROM it_ops_reload_rows")) {
            while (rs.next()) {
                n++;
            }
        }
        assertEquals(300, n);
    }
}
