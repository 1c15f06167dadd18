package io.pgmlsidecar.it.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.NoBufferLeaks;
import org.junit.jupiter.api.extension.ExtendWith;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.it.support.EndpointStandIn;
import io.pgmlsidecar.it.support.EndpointStandIn.Reply;
import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** azure_ml.invoke and azure_ai settings through the sidecar, against a local stand-in for an Azure ML online endpoint. */
@ExtendWith(NoBufferLeaks.class)
class AzureMlInvokeTest {

    private static final String KEY = "k3y-that-must-never-leak-0123456789";
    private static EndpointStandIn endpoint;
    private final TestCluster cluster = TestCluster.get();

    @BeforeAll
    static void startEndpoint() throws Exception {
        endpoint = new EndpointStandIn();
        try (Connection c = TestCluster.get().connect(null); PreparedStatement ps = c.prepareStatement(
                "SELECT azure_ai.set_setting('azure_ml.scoring_endpoint', ?)")) {
            ps.setString(1, endpoint.url("/score"));
            ps.executeQuery().close();
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT azure_ai.set_setting('azure_ml.endpoint_key', '" + KEY + "')").close();
            }
        }
    }

    @AfterAll
    static void stopEndpoint() {
        endpoint.close();
    }

    @BeforeEach
    void echo() {
        endpoint.requests().clear();
        endpoint.answer(r -> Reply.json(r.body()));
    }

    @Test
    void theSeedsExamples() throws Exception {
        endpoint.answer(r -> Reply.json("[4.526, 3.585]"));
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT * FROM azure_ml.invoke('{\"input_data\": [1,2,3,4,5,6,7,8], "
                    + "\"columns\": [\"c1\",\"c2\",\"c3\",\"c4\",\"c5\",\"c6\",\"c7\",\"c8\"]}', deployment_name=>'Housingprediction')")) {
                assertEquals("invoke", rs.getMetaData().getColumnName(1));
                assertEquals("jsonb", rs.getMetaData().getColumnTypeName(1));
                assertTrue(rs.next());
                assertEquals("[4.526, 3.585]", rs.getString(1));
            }
            EndpointStandIn.Request seen = endpoint.requests().get(0);
            assertEquals("/score", seen.path());
            assertEquals("Bearer " + KEY, seen.header("Authorization"));
            assertEquals("Housingprediction", seen.header("azureml-model-deployment"));
            assertTrue(seen.body().contains("\"input_data\""), seen.body());

            List<String> predictions = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT jsonb_array_elements(invoke.invoke) AS median_house_prediction "
                    + "FROM azure_ml.invoke('{\"input_data\": {\"index\": [0, 1], \"columns\": [\"MedInc\", \"HouseAge\"], "
                    + "\"data\": [[8.3, 41], [8.3, 21]]}}', deployment_name => 'Housingprediction', timeout_ms => 5000) AS invoke")) {
                assertEquals("median_house_prediction", rs.getMetaData().getColumnName(1));
                while (rs.next()) {
                    predictions.add(rs.getString(1));
                }
            }
            assertEquals(List.of("4.526", "3.585"), predictions);
        }
    }

    @Test
    void timeoutsRaiseOrGiveNullWithAWarning() throws Exception {
        endpoint.answer(r -> new Reply(200, "{}", 1500, Map.of()));
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT azure_ml.invoke('{\"a\": 1}', timeout_ms => 200)").close());
            assertEquals("57014", e.getSQLState(), e.getMessage());
            assertFalse(e.getMessage().contains(KEY));
            c.setAutoCommit(false);
            s.execute("CREATE TEMP TABLE invoke_tx (v int)");
            try (ResultSet rs = s.executeQuery("SELECT azure_ml.invoke('{\"a\": 1}', timeout_ms => 200, throw_on_error => false)")) {
                assertTrue(rs.next());
                assertNull(rs.getString(1));
                SQLWarning w = s.getWarnings();
                assertTrue(w != null && w.getMessage().contains("NULL"), String.valueOf(w));
            }
            s.execute("INSERT INTO invoke_tx VALUES (1)");
            c.commit(); // the transaction is intact
            c.setAutoCommit(true);
        }
    }

    @Test
    void retriesOnlyWhatIsRetryable() throws Exception {
        AtomicInteger n = new AtomicInteger();
        endpoint.answer(r -> n.incrementAndGet() < 3 ? new Reply(503, "{\"error\": \"busy\"}", 0, Map.of()) : Reply.json("{\"ok\": true}"));
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT azure_ml.invoke('{\"a\": 1}', max_attempts => 3, retry_delay_ms => 50)")) {
                assertTrue(rs.next());
                assertEquals("{\"ok\": true}", rs.getString(1));
            }
            assertEquals(3, endpoint.requests().size());

            endpoint.requests().clear();
            long start = System.nanoTime();
            AtomicInteger m = new AtomicInteger();
            endpoint.answer(r -> m.incrementAndGet() == 1 ? new Reply(429, "{}", 0, Map.of("Retry-After", "1")) : Reply.json("[1]"));
            try (ResultSet rs = s.executeQuery("SELECT azure_ml.invoke('{\"a\": 1}', max_attempts => 2, retry_delay_ms => 10)")) {
                assertTrue(rs.next());
            }
            assertTrue(System.nanoTime() - start > 900_000_000L, "Retry-After: 1 was honoured");

            endpoint.requests().clear();
            endpoint.answer(r -> new Reply(400, "{\"error\": \"bad input\"}", 0, Map.of()));
            SQLException bad = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT azure_ml.invoke('{\"a\": 1}', max_attempts => 3, retry_delay_ms => 10)").close());
            assertEquals("38000", bad.getSQLState());
            assertEquals(1, endpoint.requests().size(), "400 is not retried");

            endpoint.answer(r -> Reply.json("{not json"));
            SQLException malformed = assertThrows(SQLException.class, () -> s.executeQuery("SELECT azure_ml.invoke('{\"a\": 1}')").close());
            assertTrue(malformed.getMessage().toLowerCase().contains("json"), malformed.getMessage());
            assertEquals("1", one(s, "SELECT 1"));
        }
    }

    @Test
    void rowDependentInputsAreSentOncePerDistinctValue() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS invoke_rows; CREATE TABLE invoke_rows AS SELECT g AS id, g % 3 AS x FROM generate_series(1, 12) g");
            List<String> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT id, azure_ml.invoke(jsonb_build_object('input_data', ARRAY[x])) AS r "
                    + "FROM invoke_rows ORDER BY id")) {
                while (rs.next()) {
                    out.add(rs.getInt(1) + ":" + rs.getString(2));
                }
            }
            assertEquals(12, out.size());
            assertEquals("1:{\"input_data\": [1]}", out.get(0));
            assertEquals("3:{\"input_data\": [0]}", out.get(2));
            assertEquals(3, endpoint.requests().size(), "three distinct inputs, three requests");
        }
    }

    @Test
    void mlflowInputsShareRequestsWhenTheEndpointTakesBatches() throws Exception {
        // an MLflow scoring endpoint: one prediction (the row's sum) per data row, in order
        endpoint.answer(r -> {
            try {
                JsonNode rows = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("input_data").path("data");
                StringBuilder out = new StringBuilder("[");
                for (JsonNode row : rows) {
                    double sum = 0;
                    for (JsonNode v : row) {
                        sum += v.asDouble();
                    }
                    out.append(out.length() > 1 ? ", " : "").append(sum);
                }
                return Reply.json(out.append(']').toString());
            } catch (Exception e) {
                return new Reply(400, "{}", 0, java.util.Map.of());
            }
        });
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS invoke_mlflow; CREATE TABLE invoke_mlflow AS SELECT g AS id, g AS a, 10 * g AS b FROM generate_series(1, 7) g");
            String query = "SELECT id, azure_ml.invoke(jsonb_build_object('input_data', jsonb_build_object('columns', "
                    + "'[\"a\", \"b\"]'::jsonb, 'index', jsonb_build_array(id), 'data', jsonb_build_array(jsonb_build_array(a, b))))) AS r "
                    + "FROM invoke_mlflow ORDER BY id";
            List<String> alone = rows(s, query);
            assertEquals(7, endpoint.requests().size(), "without the setting, a request per row");
            assertEquals("1:[11.0]", alone.get(0));
            s.executeQuery("SELECT azure_ai.set_setting('azure_ml.max_batch_rows', '3')").close();
            try {
                endpoint.requests().clear();
                assertEquals(alone, rows(s, query), "each row gets its own prediction from the merged requests");
                assertEquals(3, endpoint.requests().size(), "7 rows in requests of at most 3");
                // the requests run concurrently: in any order, 3 + 3 + 1 data rows, each with its index entries
                List<Integer> sizes = new ArrayList<>();
                for (EndpointStandIn.Request r : endpoint.requests()) {
                    JsonNode in = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("input_data");
                    assertEquals(in.path("data").size(), in.path("index").size());
                    sizes.add(in.path("data").size());
                }
                sizes.sort(null);
                assertEquals(List.of(1, 3, 3), sizes);
            } finally {
                s.executeQuery("SELECT azure_ai.set_setting('azure_ml.max_batch_rows', '1')").close();
            }
        }
    }

    private static List<String> rows(Statement s, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getInt(1) + ":" + rs.getString(2));
            }
        }
        return out;
    }

    @Test
    void aSlowEndpointDoesNotHoldUpOtherSessions() throws Exception {
        endpoint.answer(r -> new Reply(200, "{}", 2000, Map.of()));
        try (Connection slow = cluster.connect(null); Connection other = cluster.connect(null); Statement s = other.createStatement()) {
            CompletableFuture<Void> call = CompletableFuture.runAsync(() -> {
                try (Statement ss = slow.createStatement()) {
                    ss.executeQuery("SELECT azure_ml.invoke('{\"a\": 1}')").close();
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            long start = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                assertEquals("1", one(s, "SELECT 1"));
            }
            assertTrue(System.nanoTime() - start < 1_000_000_000L, "pass-through stays fast while another session waits");
            assertFalse(call.isDone());
            call.get();
        }
    }

    @Test
    void settingsAreForManagersOnlyAndNeverStoredInClear() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            assertEquals(KEY, one(s, "SELECT azure_ai.get_setting('azure_ml.endpoint_key')"));
            String stored = one(s, "SELECT encode(value, 'escape') FROM azure_ai.sidecar_settings WHERE key = 'azure_ml.endpoint_key'");
            assertFalse(stored.contains(KEY));
            String pid = one(s, "SELECT pg_backend_pid()");
            s.executeQuery("SELECT azure_ai.set_setting('azure_ml.endpoint_key', '" + KEY + "')").close();
            try (Connection d = cluster.connectDirect(null); Statement sd = d.createStatement()) {
                String last = one(sd, "SELECT query FROM pg_stat_activity WHERE pid = " + pid);
                assertFalse(last.contains(KEY), "PostgreSQL never sees the key as SQL text: " + last);
            }
            SQLException expression = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT azure_ai.set_setting('azure_ml.endpoint_key', 'a' || 'b')").close());
            assertEquals("0A000", expression.getSQLState());
            SQLException unknown = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT azure_ai.set_setting('azure_ml.nope', 'x')").close());
            assertEquals("22023", unknown.getSQLState());
        }
        String url = "jdbc:postgresql://127.0.0.1:" + cluster.sidecarPort() + "/postgres";
        try (Connection c = DriverManager.getConnection(url, TestCluster.MD5_USER, TestCluster.PASSWORD); Statement s = c.createStatement()) {
            SQLException denied = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT azure_ai.set_setting('azure_ml.endpoint_key', 'stolen')").close());
            assertEquals("42501", denied.getSQLState());
            assertTrue(denied.getMessage().contains("azure_ai_settings_manager"), denied.getMessage());
            SQLException cannotRead = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT azure_ai.get_setting('azure_ml.endpoint_key')").close());
            assertEquals("42501", cannotRead.getSQLState());
            // but may invoke the endpoint
            try (ResultSet rs = s.executeQuery("SELECT azure_ml.invoke('{\"who\": \"md5user\"}')")) {
                assertTrue(rs.next());
                assertEquals("{\"who\": \"md5user\"}", rs.getString(1));
            }
        }
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("GRANT azure_ai_settings_manager TO " + TestCluster.MD5_USER);
        }
        try (Connection c = DriverManager.getConnection(url, TestCluster.MD5_USER, TestCluster.PASSWORD); Statement s = c.createStatement()) {
            assertEquals(KEY, one(s, "SELECT azure_ai.get_setting('azure_ml.endpoint_key')"), "a member may read it");
        } finally {
            try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
                s.execute("REVOKE azure_ai_settings_manager FROM " + TestCluster.MD5_USER);
            }
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
