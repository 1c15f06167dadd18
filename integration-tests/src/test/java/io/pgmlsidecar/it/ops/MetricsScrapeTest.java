package io.pgmlsidecar.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.PrometheusText;
import io.pgmlsidecar.it.support.SidecarProcess;
import io.pgmlsidecar.it.support.TestCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launcher's {@code /metrics} after a known workload through a real sidecar process: relayed
 * statements, a training, an S2 predict over 300 rows (two batches: S2 reads 256 rows per chunk),
 * an embed, and a failing call; each shows in the counts, batch sizes and labels.
 */
class MetricsScrapeTest {

    private static final String PROJECT = "it_ops_metrics";
    private static final String EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2";

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void scrapeShowsTheWorkload() throws Exception {
        TestCluster cluster = TestCluster.get();
        try (SidecarProcess sidecar = SidecarProcess.start(cluster.postgresPort(), List.of(), Map.of());
             Connection c = DriverManager.getConnection(sidecar.jdbcUrl(), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_ops_rows");
            s.execute("CREATE TABLE it_ops_rows AS SELECT (g % 7)::real AS a, (g % 3)::real AS b, "
                    + "((g % 7) + 2 * (g % 3))::real AS y FROM generate_series(1, 300) g");

            PrometheusText before = sidecar.scrape();
            for (int i = 0; i < 5; i++) {
                try (ResultSet rs = s.executeQuery("SELECT 1")) {
                    rs.next();
                }
            }
            PrometheusText afterRelayed = sidecar.scrape();
            assertEquals(5, delta(before, afterRelayed, "pgml_sidecar_statements_total", "route", "relayed", "protocol", "extended"),
                    afterRelayed.toString());
            assertEquals(1, afterRelayed.sum("pgml_sidecar_client_connections"), "one client connected now");
            assertEquals(1, afterRelayed.sum("pgml_sidecar_backend_connections"), "and its upstream connection");
            assertTrue(delta(before, afterRelayed, "pgml_sidecar_client_received_bytes_total") > 5 * "SELECT 1".length());
            assertTrue(delta(before, afterRelayed, "pgml_sidecar_client_sent_bytes_total") > 0);
            // relayed statements are timed too, to their ReadyForQuery (route="relayed" of the same histogram)
            assertEquals(5, delta(before, afterRelayed, "pgml_sidecar_statement_duration_seconds_count", "route", "relayed"),
                    afterRelayed.toString());
            assertTrue(afterRelayed.sum("pgml_sidecar_statement_duration_seconds_sum", "route", "relayed") > 0);

            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('" + PROJECT + "', 'regression', 'it_ops_rows', 'y', 'linear')")) {
                assertTrue(rs.next());
            }
            int predicted = 0;
            try (ResultSet rs = s.executeQuery("SELECT pgml.predict('" + PROJECT + "', ARRAY[a, b]) FROM it_ops_rows")) {
                while (rs.next()) {
                    predicted++;
                }
            }
            assertEquals(300, predicted);
            try (ResultSet rs = s.executeQuery("SELECT pgml.embed('" + EMBEDDER + "', 'hello')")) {
                assertTrue(rs.next());
            }
            PrometheusText after = sidecar.scrape();
            // training: one run of pgml.train for the project, with its duration
            assertEquals(1, after.sum("pgml_calls_total", "function", "pgml.train", "model", PROJECT), after.toString());
            assertEquals(1, after.sum("pgml_call_duration_seconds_count", "function", "pgml.train", "model", PROJECT));
            assertTrue(after.sum("pgml_call_duration_seconds_sum", "function", "pgml.train", "model", PROJECT) > 0);
            // S2 predict: 300 rows in two batches of at most 256
            assertEquals(1, after.sum("pgml_sidecar_statements_total", "route", "served", "strategy", "S2"), after.toString());
            assertEquals(2, after.sum("pgml_calls_total", "function", "pgml.predict", "model", PROJECT));
            assertEquals(300, after.sum("pgml_call_rows_total", "function", "pgml.predict", "model", PROJECT));
            assertEquals(2, after.sum("pgml_call_batch_rows_count", "function", "pgml.predict"));
            assertEquals(300, after.sum("pgml_call_batch_rows_sum", "function", "pgml.predict"));
            assertEquals(256, after.sum("pgml_call_batch_rows_max", "function", "pgml.predict"));
            assertEquals(1, after.sum("pgml_call_batch_rows_bucket", "function", "pgml.predict", "le", "128.0"), "the 44-row batch");
            assertEquals(2, after.sum("pgml_call_batch_rows_bucket", "function", "pgml.predict", "le", "256.0"));
            assertEquals(1, after.sum("pgml_sidecar_statement_duration_seconds_count", "route", "served", "strategy", "S2"));
            // the trained model was loaded once into the tabular cache and then found there
            assertTrue(after.sum("pgml_model_cache_requests_total", "cache", "tabular") >= 2, after.toString());
            // embed alone (S0): one call of one row; the model loaded into the embedding cache
            assertEquals(1, after.sum("pgml_calls_total", "function", "pgml.embed", "model", EMBEDDER));
            assertEquals(1, after.sum("pgml_model_cache_requests_total", "cache", "embedding", "result", "miss"));
            assertEquals(1, after.sum("pgml_model_cache_loaded", "cache", "embedding"));
            assertEquals(1, after.sum("pgml_model_load_duration_seconds_count", "cache", "embedding"));
            // its memory, estimated from its files
            assertTrue(after.sum("pgml_model_memory_bytes", "cache", "embedding", "model", EMBEDDER) > 100_000, after.toString());
            assertEquals(0, after.sum("pgml_call_errors_total"), after.toString());

            // a failing call: an error by SQLSTATE (42704: no such project), and the session goes on
            try {
                s.executeQuery("SELECT pgml.predict('it_ops_no_such_project', ARRAY[1, 2])").close();
                throw new AssertionError("predict of a missing project must fail");
            } catch (java.sql.SQLException expected) {
                assertEquals("42704", expected.getSQLState(), expected.getMessage());
            }
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
            PrometheusText failed = sidecar.scrape();
            assertEquals(1, failed.sum("pgml_call_errors_total", "function", "pgml.predict", "sqlstate", "42704"), failed.toString());
            assertEquals(1, failed.sum("pgml_sidecar_statement_errors_total", "strategy", "S0", "sqlstate", "42704"));
            assertTrue(!failed.toString().contains("it_ops_rows"), "no SQL text in the labels");
            assertDashboardMetricsExist(failed);
            assertTrue(after.has("pgml_sidecar_sessions_intercepting") && after.has("pgml_sidecar_event_loop_pending_tasks"));
        }
    }

    /**
     * Every series the Grafana dashboard queries is one the sidecar serves (the remote endpoints'
     * meters appear only once an endpoint is used, so they are left out here).
     */
    private static void assertDashboardMetricsExist(PrometheusText scrape) throws Exception {
        Path dashboard = Path.of("..", "deploy", "grafana", "pgml-sidecar-dashboard.json");
        JsonNode panels = new ObjectMapper().readTree(Files.readString(dashboard)).get("panels");
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = Pattern.compile("\\b((?:pgml|jvm)_[a-z_]+)\\{").matcher(target.get("expr").asText());
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        assertTrue(names.size() > 15, names.toString());
        for (String name : names) {
            if (!name.startsWith("pgml_remote_")) {
                assertTrue(scrape.has(name), "the dashboard queries " + name + ", which /metrics does not serve");
            }
        }
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }
}
