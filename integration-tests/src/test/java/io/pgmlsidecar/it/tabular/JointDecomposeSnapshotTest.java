package io.pgmlsidecar.it.tabular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** train_joint / predict_joint, decompose, predict_batch, predict on row values, and snapshots. */
class JointDecomposeSnapshotTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestCluster cluster = TestCluster.get();

    @Test
    void jointRegressionOnLinnerud() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("SELECT * FROM pgml.load_dataset('linnerud')");
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train_joint('it_linnerud', 'regression', 'pgml.linnerud', "
                    + "ARRAY['weight', 'waist', 'pulse'], 'linear')")) {
                assertTrue(rs.next());
                assertEquals("linear", rs.getString("algorithm"));
                assertTrue(rs.getBoolean("deployed"));
            }
            Float[] y = floats(s, "SELECT pgml.predict_joint('it_linnerud', ARRAY[5, 162, 60]::real[])");
            assertEquals(3, y.length);
            assertTrue(y[0] > 120 && y[0] < 260, "weight " + y[0]);
            assertTrue(y[1] > 25 && y[1] < 50, "waist " + y[1]);
            // row-wise, over the table (S2)
            try (ResultSet rs = s.executeQuery("SELECT chins, pgml.predict_joint('it_linnerud', ARRAY[chins, situps, jumps]) AS p "
                    + "FROM pgml.linnerud ORDER BY chins LIMIT 3")) {
                int n = 0;
                while (rs.next()) {
                    assertEquals(3, ((Float[]) rs.getArray("p").getArray()).length);
                    n++;
                }
                assertEquals(3, n);
            }
            assertEquals("{weight,waist,pulse}", one(s, "SELECT s.y_column_name::text FROM pgml.snapshots s JOIN pgml.models m "
                    + "ON m.snapshot_id = s.id JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = 'it_linnerud'"));
            SQLException single = assertThrows(SQLException.class,
                    () -> one(s, "SELECT pgml.predict('it_linnerud', ARRAY[5, 162, 60]::real[])"));
            assertTrue(single.getMessage().contains("predict_joint"), single.getMessage());
            SQLException classification = assertThrows(SQLException.class, () -> s.executeQuery(
                    "SELECT * FROM pgml.train_joint('it_linnerud_cls', 'classification', 'pgml.linnerud', ARRAY['weight', 'waist'])"));
            assertEquals("22023", classification.getSQLState());
        }
    }

    @Test
    void pcaDecomposition() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("SELECT * FROM pgml.load_dataset('iris')");
            s.execute("CREATE OR REPLACE VIEW iris_features AS SELECT sepal_length, sepal_width, petal_length, petal_width FROM pgml.iris");
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('it_iris_pca', 'decomposition', 'iris_features', "
                    + "hyperparams => '{\"n_components\": 2}')")) {
                assertTrue(rs.next());
                assertEquals("pca", rs.getString("algorithm"));
            }
            Float[] v = floats(s, "SELECT pgml.decompose('it_iris_pca', ARRAY[5.1, 3.5, 1.4, 0.2]::real[])");
            assertEquals(2, v.length);
            assertTrue(Math.abs(v[0]) > 1, "the first component separates setosa: " + v[0]);
            // PostgresML's predict on a decomposition project answers the first component
            assertEquals(Float.toString(v[0]), one(s, "SELECT pgml.predict('it_iris_pca', ARRAY[5.1, 3.5, 1.4, 0.2]::real[])"));
            assertTrue(one(s, "SELECT (metrics->>'cumulative_explained_variance')::float8 > 0.9 FROM pgml.models m JOIN pgml.projects p "
                    + "ON p.id = m.project_id WHERE p.name = 'it_iris_pca'").equals("t"));
        }
    }

    @Test
    void predictBatchAndRowValues() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("SELECT * FROM pgml.load_dataset('iris')");
            s.execute("SELECT * FROM pgml.train('it_iris_rows', 'classification', 'pgml.iris', 'target', 'xgboost')");
            List<Float> batch = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.predict_batch('it_iris_rows', "
                    + "ARRAY[5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3]::real[])")) {
                while (rs.next()) {
                    batch.add(rs.getFloat(1));
                }
            }
            assertEquals(List.of(0f, 2f), batch);
            String modelId = one(s, "SELECT d.id FROM pgml.deployed_models d WHERE d.name = 'it_iris_rows'");
            Float[] byId = floats(s, "SELECT pgml.predict_batch(" + modelId + ", ARRAY[5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3]::real[])");
            assertEquals(List.of(0f, 2f), List.of(byId));
            assertThrows(SQLException.class, () -> one(s, "SELECT * FROM pgml.predict_batch('it_iris_rows', ARRAY[1, 2, 3]::real[])"));

            assertEquals("0", one(s, "SELECT pgml.predict('it_iris_rows', ROW(5.1, 3.5, 1.4, 0.2))"));
            // a table's rows, as PostgresML's docs do with (SELECT … FROM t) rows
            s.execute("DROP TABLE IF EXISTS iris_rows; CREATE TABLE iris_rows AS SELECT sepal_length, sepal_width, petal_length, petal_width, "
                    + "target FROM pgml.iris");
            try (ResultSet rs = s.executeQuery("SELECT target, pgml.predict('it_iris_rows', ROW(sepal_length, sepal_width, petal_length, "
                    + "petal_width)) AS p FROM iris_rows")) {
                int right = 0;
                int n = 0;
                while (rs.next()) {
                    n++;
                    right += rs.getInt("target") == (int) rs.getFloat("p") ? 1 : 0;
                }
                assertEquals(150, n);
                assertTrue(right > 140, right + " of 150");
            }
            SQLException width = assertThrows(SQLException.class, () -> one(s, "SELECT pgml.predict('it_iris_rows', ROW(5.1, 3.5))"));
            assertEquals("22023", width.getSQLState());
        }
    }

    @Test
    void snapshotsAreMaterializedAndDescribed() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS snap_src; CREATE TABLE snap_src AS SELECT * FROM generate_series(1, 200) x, "
                    + "LATERAL (SELECT (x % 2 = 0) AS even, x * 2.0 AS twice) t");
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.snapshot('snap_src', 'even')")) {
                assertTrue(rs.next());
                assertEquals("snap_src", rs.getString("relation"));
                assertEquals("even", rs.getString("y_column_name"));
            }
            String id = one(s, "SELECT max(id) FROM pgml.snapshots WHERE relation_name = 'snap_src'");
            assertEquals("t", one(s, "SELECT materialized FROM pgml.snapshots WHERE id = " + id));
            assertEquals("200", one(s, "SELECT count(*) FROM pgml.\"snapshot_" + id + "\""));
            JsonNode columns = JSON.readTree(one(s, "SELECT columns FROM pgml.snapshots WHERE id = " + id));
            JsonNode x = columns.get(0);
            assertEquals("x", x.get("name").asText());
            assertEquals("int4", x.get("pg_type").asText());
            assertTrue(x.get("statistics").get("min").asDouble() >= 1 && x.get("statistics").get("max").asDouble() <= 200);
            assertEquals(true, columns.get(columns.size() - 1).get("label").asBoolean());

            // train with materialize_snapshot, then change the table: retraining without relation_name reads the frozen copy
            s.execute("SELECT * FROM pgml.train('it_snap', 'classification', 'snap_src', 'even', 'xgboost', materialize_snapshot => true)");
            s.execute("DELETE FROM snap_src WHERE x > 10");
            s.execute("SELECT * FROM pgml.train('it_snap', algorithm => 'linear')");
            assertEquals("200", one(s, "SELECT (analysis->>'samples') FROM pgml.snapshots s JOIN pgml.models m ON m.snapshot_id = s.id "
                    + "JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = 'it_snap' ORDER BY m.id DESC LIMIT 1"));
        }
    }

    private static Float[] floats(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return (Float[]) rs.getArray(1).getArray();
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
