package io.pgmlsidecar.it.tabular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** PostgresML's train → deploy → predict flow through the sidecar, on the toy data sets. */
class TrainDeployPredictTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void irisClassificationFlow() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.load_dataset('iris')")) {
                assertTrue(rs.next());
                assertEquals("pgml.iris", rs.getString("table_name"));
                assertEquals(150, rs.getLong("rows"));
            }
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('it_iris', 'classification', 'pgml.iris', 'target', 'xgboost')")) {
                assertTrue(rs.next());
                assertEquals("it_iris", rs.getString("project"));
                assertEquals("classification", rs.getString("task"));
                assertEquals("xgboost", rs.getString("algorithm"));
                assertTrue(rs.getBoolean("deployed"));
            }
            try (ResultSet rs = s.executeQuery("SELECT (metrics->>'f1')::float8 FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id "
                    + "WHERE p.name = 'it_iris'")) {
                assertTrue(rs.next());
                assertTrue(rs.getDouble(1) > 0.85, "f1 " + rs.getDouble(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT pgml.predict('it_iris', ARRAY[5.1, 3.5, 1.4, 0.2]::real[])")) {
                assertTrue(rs.next());
                assertEquals(0f, rs.getFloat(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT pgml.predict('it_iris', ARRAY[5.1, 3.5, 1.4, 0.2])")) {
                assertTrue(rs.next(), "a numeric[] literal works (PostgresML calls it ambiguous)");
                assertEquals(0f, rs.getFloat(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT pgml.predict_proba('it_iris', ARRAY[6.7, 3.0, 5.2, 2.3]::real[])")) {
                assertTrue(rs.next());
                Float[] p = (Float[]) rs.getArray(1).getArray();
                assertEquals(3, p.length);
                assertEquals(1.0, p[0] + p[1] + p[2], 1e-4);
                assertTrue(p[2] > 0.5, "virginica is most likely");
            }
            // a second algorithm, then every deploy strategy
            try (ResultSet rs = s.executeQuery("SELECT pgml.train('it_iris', algorithm => 'linear')")) {
                assertTrue(rs.next());
            }
            for (String strategy : new String[] {"best_score", "most_recent", "rollback", "rollback"}) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.deploy('it_iris', '" + strategy + "')")) {
                    assertTrue(rs.next());
                    assertEquals(strategy, rs.getString("strategy"));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.deployed_models WHERE name = 'it_iris'")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
        }
        try (Connection c = cluster.connect("prepareThreshold=1&binaryTransfer=true");
             PreparedStatement ps = c.prepareStatement("SELECT pgml.predict(?, ?::real[])")) {
            for (int i = 0; i < 3; i++) {
                ps.setString(1, "it_iris");
                ps.setString(2, "{5.9,3.0,5.1,1.8}");
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertTrue(rs.getFloat(1) >= 1f);
                }
            }
        }
    }

    @Test
    void batchPredictionsInSelectListUpdateAndWhere() throws Exception {
        try (Connection c = cluster.connect("prepareThreshold=1"); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('iris')").close();
            s.executeQuery("SELECT * FROM pgml.train('it_iris_batch', 'classification', 'pgml.iris', 'target', 'xgboost')").close();
            int correct = 0;
            int total = 0;
            try (ResultSet rs = s.executeQuery("SELECT target, pgml.predict('it_iris_batch', "
                    + "ARRAY[sepal_length, sepal_width, petal_length, petal_width]) AS prediction FROM pgml.iris, generate_series(1, 4)")) {
                while (rs.next()) {
                    total++;
                    correct += rs.getInt(1) == Math.round(rs.getFloat(2)) ? 1 : 0;
                }
            }
            assertEquals(600, total, "every row, across several chunks, each with its own registry look-up");
            assertTrue(correct >= 560, "accuracy on the training data " + correct + "/600");
            s.execute("DROP TABLE IF EXISTS it_iris_scored");
            s.execute("CREATE TABLE it_iris_scored AS SELECT *, NULL::real AS prediction FROM pgml.iris");
            assertEquals(150, s.executeUpdate("UPDATE it_iris_scored SET prediction = pgml.predict('it_iris_batch', "
                    + "ARRAY[sepal_length, sepal_width, petal_length, petal_width])"));
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM it_iris_scored WHERE prediction = target")) {
                assertTrue(rs.next());
                assertTrue(rs.getInt(1) >= 140);
            }
            try (ResultSet rs = s.executeQuery("WITH p AS (SELECT target, pgml.predict_proba('it_iris_batch', "
                    + "ARRAY[sepal_length, sepal_width, petal_length, petal_width]) AS proba FROM pgml.iris) "
                    + "SELECT count(*) FROM p WHERE abs(proba[1] + proba[2] + proba[3] - 1) < 1e-4")) {
                assertTrue(rs.next());
                assertEquals(150, rs.getInt(1));
            }
        }
    }

    @Test
    void largeBatchPredictionWithoutFetchSizeDoesNotStall() throws Exception {
        // ~2.6 MB of rows: more than the client socket's high watermark, so backpressure engages
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('iris')").close();
            s.executeQuery("SELECT * FROM pgml.train('it_iris_large', 'classification', 'pgml.iris', 'target', 'linear')").close();
            long rows = 0;
            try (ResultSet rs = s.executeQuery("SELECT g, pgml.predict('it_iris_large', "
                    + "ARRAY[sepal_length, sepal_width, petal_length, petal_width]) FROM pgml.iris, generate_series(1, 700) g")) {
                while (rs.next()) {
                    rows++;
                }
            }
            assertEquals(105_000, rows);
        }
    }

    @Test
    void regressionAndErrors() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('diabetes')").close();
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('it_diabetes', 'regression', 'pgml.diabetes', 'target', 'linear')")) {
                assertTrue(rs.next());
            }
            try (ResultSet rs = s.executeQuery("SELECT (metrics->>'r2')::float8 FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id "
                    + "WHERE p.name = 'it_diabetes'")) {
                assertTrue(rs.next());
                assertTrue(rs.getDouble(1) >= 0.4, "r2 " + rs.getDouble(1));
            }
            SQLException e = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT pgml.predict_proba('it_diabetes', ARRAY[1,2,3,4,5,6,7,8,9,10]::real[])"));
            assertEquals("22023", e.getSQLState());
            e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT pgml.predict('no_such_project', ARRAY[1]::real[])"));
            assertEquals("42704", e.getSQLState());
            e = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT * FROM pgml.train('it_missing', 'regression', 'public.no_such_table', 'y')"));
            assertEquals("42P01", e.getSQLState());
            e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT pgml.predict('it_diabetes', ARRAY[1,2]::real[])"));
            assertEquals("22023", e.getSQLState());
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
    }
}
