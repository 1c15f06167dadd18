package io.pgmlsidecar.it.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PostgresML's introspection, housekeeping and metric helper functions through the sidecar (pgjdbc). */
class AdminAndMetricFunctionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestCluster cluster = TestCluster.get();

    @Test
    void introspectionAnswersAboutTheJavaRuntime() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            assertTrue(one(s, "SELECT pgml.xgboost_version()").matches("\\d+\\.\\d+\\.\\d+"));
            assertTrue(one(s, "SELECT pgml.python_version()").contains("no Python"));
            assertEquals(one(s, "SELECT pgml.xgboost_version()"), one(s, "SELECT pgml.python_package_version('xgboost')"));
            List<String> freeze = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.python_pip_freeze()")) {
                while (rs.next()) {
                    freeze.add(rs.getString(1));
                }
            }
            assertTrue(freeze.stream().anyMatch(l -> l.startsWith("onnxruntime==")), freeze.toString());
            assertTrue(freeze.stream().anyMatch(l -> l.startsWith("xgboost4j==")), freeze.toString());
            assertEquals("t", one(s, "SELECT pgml.validate_python_dependencies()"));
            assertEquals("", one(s, "SELECT pgml.validate_shared_library()"));
            SQLException missing = assertThrows(SQLException.class, () -> one(s, "SELECT pgml.python_package_version('torch')"));
            assertEquals("42704", missing.getSQLState());
            assertEquals("1", one(s, "SELECT 1"), "the session is still usable");

            try (ResultSet rs = s.executeQuery("SELECT pgml.activate_venv('/opt/venv')")) {
                assertTrue(rs.next());
                assertFalse(rs.getBoolean(1));
                SQLWarning w = s.getWarnings();
                assertTrue(w != null && w.getMessage().contains("no Python"), String.valueOf(w));
            }
        }
    }

    @Test
    void clearGpuCacheReleasesLoadedModels() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            one(s, "SELECT array_length(pgml.embed('sentence-transformers/all-MiniLM-L6-v2', 'warm up'), 1)");
            try (ResultSet rs = s.executeQuery("SELECT pgml.clear_gpu_cache()")) {
                assertTrue(rs.next());
                assertTrue(rs.getBoolean(1));
                SQLWarning w = s.getWarnings();
                assertTrue(w != null && w.getMessage().matches("released [1-9]\\d* loaded transformer model.*"), String.valueOf(w));
            }
            assertEquals("384", one(s, "SELECT array_length(pgml.embed('sentence-transformers/all-MiniLM-L6-v2', 'reloads'), 1)"));
        }
    }

    @Test
    void metricHelpersMatchHandComputedValues() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            assertEquals(2.0 / 3, Double.parseDouble(one(s, "SELECT pgml.sklearn_f1_score(ARRAY[0,1,1,0]::real[], ARRAY[0,1,0,0]::real[])")), 1e-6);
            assertEquals(0.9486081, Double.parseDouble(one(s,
                    "SELECT pgml.sklearn_r2_score(ARRAY[3, -0.5, 2, 7]::real[], ARRAY[2.5, 0.0, 2, 8]::real[])")), 1e-6);
            JsonNode reg = JSON.readTree(one(s, "SELECT pgml.sklearn_regression_metrics(ARRAY[3, -0.5, 2, 7]::real[], ARRAY[2.5, 0.0, 2, 8]::real[])"));
            assertEquals(0.375, reg.get("mse").asDouble(), 1e-9);
            assertEquals(0.5, reg.get("mae").asDouble(), 1e-9);
            JsonNode cls = JSON.readTree(one(s, "SELECT pgml.sklearn_classification_metrics(ARRAY[0,1,2,0,1,2]::real[], "
                    + "ARRAY[0,2,1,0,0,1]::real[], 3)"));
            assertEquals(0.8 / 3, cls.get("f1").asDouble(), 1e-9);
            assertEquals(1.0 / 3, cls.get("f1_micro").asDouble(), 1e-9);
            assertEquals(1.0 / 3, cls.get("accuracy").asDouble(), 1e-9);
            assertTrue(cls.has("mcc") && cls.has("precision") && cls.has("recall"));
            assertEquals("jsonb", one(s, "SELECT pg_typeof(m)::text FROM (SELECT pgml.sklearn_regression_metrics(ARRAY[1,2]::real[], ARRAY[1,2]::real[]) AS m) t"));

            // over a table: the arrays are aggregated by PostgreSQL, the metric computed by the sidecar
            s.execute("DROP TABLE IF EXISTS metric_rows; CREATE TABLE metric_rows (y real, p real); "
                    + "INSERT INTO metric_rows VALUES (3, 2.5), (-0.5, 0), (2, 2), (7, 8)");
            assertEquals(0.9486081, Double.parseDouble(one(s, "SELECT pgml.sklearn_r2_score(array_agg(y ORDER BY y), array_agg(p ORDER BY y)) FROM metric_rows")), 1e-6);

            SQLException multi = assertThrows(SQLException.class,
                    () -> one(s, "SELECT pgml.sklearn_f1_score(ARRAY[0,1,2]::real[], ARRAY[0,1,2]::real[])"));
            assertEquals("22023", multi.getSQLState());
            assertTrue(multi.getMessage().contains("multiclass"), multi.getMessage());
            SQLException lengths = assertThrows(SQLException.class,
                    () -> one(s, "SELECT pgml.sklearn_r2_score(ARRAY[1,2]::real[], ARRAY[1]::real[])"));
            assertEquals("22023", lengths.getSQLState());
            assertEquals(null, one(s, "SELECT pgml.sklearn_r2_score(NULL, ARRAY[1]::real[])"), "STRICT: NULL in, NULL out");
        }
    }

    @Test
    void everyFunctionOfTheApiAnswersEvenWithoutItsModel() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            // no "function does not exist": each answers with what is missing
            SQLException e = assertThrows(SQLException.class, () -> one(s, "SELECT pgml.generate('my-project', 'Once upon a time')"));
            assertEquals("42704", e.getSQLState());
            assertTrue(e.getMessage().contains("no deployed model for project \"my-project\""), e.getMessage());
            SQLException local = assertThrows(SQLException.class,
                    () -> one(s, "SELECT pgml.transform('text-classification', inputs => ARRAY['I love it'])"));
            assertEquals("42704", local.getSQLState(), "the default model is not in the models directory");
            SQLException tune = assertThrows(SQLException.class, () -> one(s, "SELECT * FROM pgml.tune('my-project', 'text-classification')"));
            assertEquals("22023", tune.getSQLState(), "relation_name is required");
            SQLException stream = assertThrows(SQLException.class,
                    () -> one(s, "SELECT * FROM pgml.transform_stream('text-generation', '{}', 'Once')"));
            assertEquals("42704", stream.getSQLState());
            assertEquals("1", one(s, "SELECT 1"));
        }
    }

    @Test
    void autoUpdatedAtInstallsTheTrigger() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS stamped; CREATE TABLE stamped (id int, v text, updated_at timestamp DEFAULT '2000-01-01')");
            s.execute("INSERT INTO stamped (id, v) VALUES (1, 'a')");
            assertEquals("", one(s, "SELECT pgml.auto_updated_at('stamped')"));
            s.execute("UPDATE stamped SET v = 'b'");
            assertEquals("t", one(s, "SELECT updated_at > '2001-01-01' FROM stamped"));
        }
    }

    @Test
    void preparedAndBinaryForms() throws Exception {
        try (Connection c = cluster.connect("prepareThreshold=-1&binaryTransfer=true");
             PreparedStatement ps = c.prepareStatement("SELECT pgml.sklearn_r2_score(?::real[], ?::real[])")) {
            ps.setArray(1, c.createArrayOf("float4", new Float[] {3f, -0.5f, 2f, 7f}));
            ps.setArray(2, c.createArrayOf("float4", new Float[] {2.5f, 0f, 2f, 8f}));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(0.9486081f, rs.getFloat(1), 1e-6f);
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
