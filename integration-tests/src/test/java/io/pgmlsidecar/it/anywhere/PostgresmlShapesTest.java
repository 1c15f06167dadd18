package io.pgmlsidecar.it.anywhere;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Statements of PostgresML's docs and README that put calls where only the general strategy
 * serves them (issue 15): aggregates as arguments, calls inside expressions, casts, subqueries,
 * WHERE, cursors, EXPLAIN, writes whose WHERE calls the model, and chunking under WITH … INSERT.
 */
class PostgresmlShapesTest {

    private static final TestCluster cluster = TestCluster.get();

    @BeforeAll
    static void trainDigits() throws SQLException {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('digits')").close();
            s.executeQuery("SELECT * FROM pgml.train('shapes_digits', 'classification', 'pgml.digits', 'target', 'xgboost', "
                    + "hyperparams => '{\"n_estimators\": 10}')").close();
        }
    }

    @Test
    void predictBatchOverAnAggregateEqualsPredictPerRow() throws SQLException {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            List<Float> perRow = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("WITH d AS (SELECT image, row_number() OVER () AS n FROM pgml.digits LIMIT 12) "
                    + "SELECT pgml.predict('shapes_digits', image) FROM d ORDER BY n")) {
                while (rs.next()) {
                    perRow.add(rs.getFloat(1));
                }
            }
            List<Float> batch = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("WITH d AS (SELECT image, row_number() OVER () AS n FROM pgml.digits LIMIT 12) "
                    + "SELECT pgml.predict_batch('shapes_digits', array_agg(image ORDER BY n)) FROM d")) {
                assertEquals("predict_batch", rs.getMetaData().getColumnName(1));
                while (rs.next()) {
                    batch.add(rs.getFloat(1));
                }
            }
            assertEquals(12, perRow.size());
            assertEquals(perRow, batch);
        }
    }

    @Test
    void callsInsideExpressionsSubqueriesAndWhere() throws SQLException {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT (SELECT sum(x) FROM unnest(pgml.predict_proba('shapes_digits', image)) x) "
                    + "FROM pgml.digits LIMIT 20")) {
                assertEquals("sum", rs.getMetaData().getColumnName(1), "PostgreSQL names a scalar subquery after its column");
                int n = 0;
                while (rs.next()) {
                    assertEquals(1.0, rs.getDouble(1), 1e-4);
                    n++;
                }
                assertEquals(20, n);
            }
            int correct;
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.digits WHERE pgml.predict('shapes_digits', image)::int = target")) {
                assertTrue(rs.next());
                correct = rs.getInt(1);
            }
            int expected = 0;
            try (ResultSet rs = s.executeQuery("SELECT target, pgml.predict('shapes_digits', image) FROM pgml.digits")) {
                while (rs.next()) {
                    expected += rs.getInt(1) == (int) rs.getFloat(2) ? 1 : 0;
                }
            }
            assertEquals(expected, correct, "WHERE on a prediction agrees with the predictions themselves");
            assertTrue(correct > 1500, "accuracy " + correct + " of 1797");
            try (ResultSet rs = s.executeQuery("SELECT pgml.predict('shapes_digits', image)::int AS digit, count(*) FROM pgml.digits "
                    + "GROUP BY 1 HAVING count(*) > 100 ORDER BY count(*) DESC, 1")) {
                assertEquals("digit", rs.getMetaData().getColumnName(1));
                assertTrue(rs.next());
                assertTrue(rs.getInt(2) > 100);
            }
            try (ResultSet rs = s.executeQuery("SELECT target, pgml.predict('shapes_digits', image) FROM pgml.digits LIMIT 1")) {
                assertEquals("predict", rs.getMetaData().getColumnName(2), "S2 names the column as PostgreSQL would");
                assertEquals("float4", rs.getMetaData().getColumnTypeName(2));
            }
        }
    }

    @Test
    void cursorsOverStatementsWithCalls() throws SQLException {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("DECLARE digits_cur CURSOR FOR SELECT target, pgml.predict('shapes_digits', image)::int AS p FROM pgml.digits "
                    + "WHERE pgml.predict('shapes_digits', image) >= 0");
            int rows = 0;
            for (int fetch = 0; fetch < 3; fetch++) {
                try (ResultSet rs = s.executeQuery("FETCH 5 FROM digits_cur")) {
                    assertEquals("p", rs.getMetaData().getColumnName(2));
                    while (rs.next()) {
                        assertTrue(rs.getInt(2) >= 0 && rs.getInt(2) <= 9);
                        rows++;
                    }
                }
                // another statement with calls in between leaves the cursor's results in place
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.digits WHERE pgml.predict('shapes_digits', image) = 3")) {
                    assertTrue(rs.next());
                }
            }
            assertEquals(15, rows);
            s.execute("CLOSE digits_cur");
            c.commit();
            s.execute("DECLARE held CURSOR WITH HOLD FOR SELECT pgml.predict('shapes_digits', image) + 1 AS q FROM pgml.digits");
            c.commit();
            c.setAutoCommit(true);
            try (ResultSet rs = s.executeQuery("FETCH 3 FROM held")) {
                assertTrue(rs.next());
                assertTrue(rs.getFloat(1) >= 1);
            }
            s.execute("CLOSE held");
        }
    }

    @Test
    void explainShowsTheSidecarsPlanAbovePostgresPlan() throws SQLException {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            List<String> plain = lines(s, "EXPLAIN SELECT target FROM pgml.digits WHERE pgml.predict('shapes_digits', image) > 5");
            assertTrue(plain.get(0).startsWith("pgml-sidecar Staged Calls"), plain.toString());
            assertTrue(plain.stream().anyMatch(l -> l.contains("Calls: pgml.predict (1 site)")), plain.toString());
            assertTrue(plain.stream().anyMatch(l -> l.contains("Seq Scan on digits")), plain.toString());
            List<String> analyzed = lines(s, "EXPLAIN ANALYZE SELECT target FROM pgml.digits ORDER BY pgml.predict('shapes_digits', image) LIMIT 3");
            assertTrue(analyzed.stream().anyMatch(l -> l.contains("Argument Tuples Computed: ") && l.contains("Model Calls: ")), analyzed.toString());
            assertTrue(analyzed.stream().anyMatch(l -> l.contains("actual time=")), analyzed.toString());
        }
    }

    @Test
    void writesWithCallsInWhereAndChunksUnderWithInsert() throws SQLException {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS shapes_copy");
            s.execute("CREATE TABLE shapes_copy AS SELECT row_number() OVER () AS id, image, target, false AS flagged FROM pgml.digits");
            int threes;
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM shapes_copy WHERE pgml.predict('shapes_digits', image) = 3")) {
                assertTrue(rs.next());
                threes = rs.getInt(1);
            }
            assertTrue(threes > 100);
            assertEquals(threes, s.executeUpdate("UPDATE shapes_copy SET flagged = true WHERE pgml.predict('shapes_digits', image) = 3"));
            assertEquals(threes, s.executeUpdate("DELETE FROM shapes_copy WHERE flagged AND pgml.predict('shapes_digits', image)::int = 3"));
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM shapes_copy WHERE pgml.predict('shapes_digits', image) = 3")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
            }
            assertEquals(1797 - threes, s.executeUpdate("INSERT INTO shapes_copy (id, image, target) SELECT id + 10000, image, "
                    + "pgml.predict('shapes_digits', image)::int FROM shapes_copy WHERE pgml.predict('shapes_digits', image) <> 3"));

            s.execute("DROP TABLE IF EXISTS shapes_chunks");
            s.execute("CREATE TABLE shapes_chunks (chunk_index bigint, chunk text)");
            String text = "PostgresML runs models where the data lives. The sidecar brings that API to any PostgreSQL.";
            int expected;
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.chunk('recursive_character', '" + text
                    + "', '{\"chunk_size\": 30, \"chunk_overlap\": 5}')")) {
                assertTrue(rs.next());
                expected = rs.getInt(1);
            }
            assertTrue(expected > 2);
            int inserted = s.executeUpdate("WITH d AS (SELECT 'recursive_character' AS splitter, '" + text + "' AS body) "
                    + "INSERT INTO shapes_chunks SELECT chunk_index, chunk FROM pgml.chunk((SELECT splitter FROM d), (SELECT body FROM d), "
                    + "'{\"chunk_size\": 30, \"chunk_overlap\": 5}')");
            assertEquals(expected, inserted);
        }
    }

    @Test
    void shapesStillNotServedAreRefusedWithAHint() throws SQLException {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> s.execute("WITH w AS (DELETE FROM pgml.digits WHERE false RETURNING image) "
                            + "SELECT count(*) FROM w WHERE pgml.predict('shapes_digits', image) > 1"));
            assertEquals("0A000", e.getSQLState());
            assertFalse(((org.postgresql.util.PSQLException) e).getServerErrorMessage().getHint().isEmpty());
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next(), "the connection stays usable");
            }
        }
    }

    @Test
    void tableFunctionsAsFromItemsOfALargerQueryRunOnce() throws SQLException {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('iris')").close();
            long models = lines(s, "SELECT count(*) FROM pgml.models").stream().mapToLong(Long::parseLong).sum();
            try (ResultSet rs = s.executeQuery("SELECT project, deployed FROM pgml.train('shapes_iris', 'classification', "
                    + "'pgml.iris', 'target', 'linear') WHERE task = 'classification'")) {
                assertEquals("project", rs.getMetaData().getColumnName(1));
                assertEquals("bool", rs.getMetaData().getColumnTypeName(2));
                assertTrue(rs.next());
                assertEquals("shapes_iris", rs.getString(1));
                assertTrue(rs.getBoolean(2));
                assertFalse(rs.next());
            }
            assertEquals(List.of(String.valueOf(models + 1)), lines(s, "SELECT count(*) FROM pgml.models"), "trained once");
            try (ResultSet rs = s.executeQuery("SELECT t.table_name, t.rows > 100 AS big FROM pgml.load_dataset('iris') t")) {
                assertEquals("big", rs.getMetaData().getColumnName(2));
                assertTrue(rs.next());
                assertEquals("pgml.iris", rs.getString(1));
                assertTrue(rs.getBoolean(2));
            }
            assertEquals(List.of("shapes_iris"), lines(s, "SELECT train.project FROM pgml.train('shapes_iris', "
                    + "algorithm => 'xgboost', hyperparams => '{\"n_estimators\": 5}')"));
        }
    }

    @Test
    void chunkThenEmbedInOneStatement() throws SQLException {
        String model = "sentence-transformers/all-MiniLM-L6-v2";
        String chunked = "FROM shapes_docs d, LATERAL pgml.chunk('character', d.body, "
                + "'{\"chunk_size\": 24, \"chunk_overlap\": 0, \"separator\": \" \"}') c";
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS shapes_docs, shapes_chunk_embeddings");
            s.execute("CREATE TABLE shapes_docs (id int PRIMARY KEY, body text)");
            s.execute("INSERT INTO shapes_docs VALUES (1, 'PostgresML brings machine learning to PostgreSQL'), "
                    + "(2, 'The sidecar serves the same API in front of any database'), (3, NULL)");
            s.execute("CREATE TABLE shapes_chunk_embeddings (doc_id int, chunk text, embedding real[])");
            // one statement: chunks and their embeddings
            List<String> together = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT d.id, c.chunk, pgml.embed('" + model + "', c.chunk) AS embedding "
                    + chunked + " ORDER BY d.id, c.chunk_index")) {
                assertEquals("embedding", rs.getMetaData().getColumnName(3));
                while (rs.next()) {
                    together.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
                }
            }
            // the same in two steps
            List<String> apart = new ArrayList<>();
            for (String row : lines(s, "SELECT d.id || '|' || c.chunk " + chunked + " ORDER BY d.id, c.chunk_index")) {
                String chunk = row.substring(row.indexOf('|') + 1);
                apart.add(row + "|" + lines(s, "SELECT pgml.embed('" + model + "', '" + chunk.replace("'", "''") + "')").get(0));
            }
            assertTrue(together.size() >= 4, "several chunks per document: " + together.size());
            assertEquals(apart, together);
            int inserted = s.executeUpdate("INSERT INTO shapes_chunk_embeddings (doc_id, chunk, embedding) "
                    + "SELECT d.id, c.chunk, pgml.embed('" + model + "', c.chunk) " + chunked);
            assertEquals(together.size(), inserted);
            assertEquals(together, lines(s, "SELECT doc_id || '|' || chunk || '|' || embedding::text FROM shapes_chunk_embeddings "
                    + "ORDER BY doc_id, ctid"));
        }
    }

    private static List<String> lines(Statement s, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void preparedStatementsWithParametersInTheGeneralPath() throws SQLException {
        try (Connection c = cluster.connect("prepareThreshold=1");
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pgml.digits WHERE pgml.predict(?, image) = ?::real")) {
            int total = 0;
            for (int digit = 0; digit < 10; digit++) {
                ps.setString(1, "shapes_digits");
                ps.setInt(2, digit);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    total += rs.getInt(1);
                }
            }
            assertEquals(1797, total, "every digit predicted as exactly one class");
        }
    }
}
