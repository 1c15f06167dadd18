package io.pgmlsidecar.it.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.NoBufferLeaks;
import org.junit.jupiter.api.extension.ExtendWith;
import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pgml.embed through the sidecar in every statement shape (S0–S4), simple and extended protocol,
 * text and binary, checked against the same model called in-process.
 */
@ExtendWith(NoBufferLeaks.class)
class EmbedStrategiesTest {

    static final String MODEL = "sentence-transformers/all-MiniLM-L6-v2";
    private static final TestCluster cluster = TestCluster.get();

    @BeforeAll
    static void createDocs() throws SQLException {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS embed_docs");
            s.execute("CREATE TABLE embed_docs (id int PRIMARY KEY, body text, e real[])");
            s.execute("INSERT INTO embed_docs (id, body) VALUES (1, 'The cat sits on the mat.'), "
                    + "(2, 'A kitten is resting on a rug.'), (3, 'Quarterly revenue grew by ten percent.'), (4, NULL), "
                    + "(5, ''), (6, 'Ünïcödé text — 日本語のテキスト')");
        }
    }

    static float[] reference(String text) {
        return cluster.embeddings().embed(MODEL, List.of(text), Map.of())[0];
    }

    static void assertSameVector(float[] expected, float[] actual) {
        assertNotNull(actual);
        assertEquals(expected.length, actual.length);
        assertTrue(cosine(expected, actual) >= 0.9999, "cosine " + cosine(expected, actual));
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static float[] vector(ResultSet rs, int column) throws SQLException {
        java.sql.Array a = rs.getArray(column);
        if (a == null) {
            return null;
        }
        Float[] boxed = (Float[]) a.getArray();
        float[] v = new float[boxed.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = boxed[i];
        }
        return v;
    }

    @Test
    void s0SimpleProtocol() throws Exception {
        try (Connection c = cluster.connect("preferQueryMode=simple"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pgml.embed('" + MODEL + "', 'hello world')")) {
            assertTrue(rs.next());
            assertEquals("embed", rs.getMetaData().getColumnName(1));
            assertEquals("_float4", rs.getMetaData().getColumnTypeName(1));
            assertSameVector(reference("hello world"), vector(rs, 1));
        }
    }

    @Test
    void s0PreparedWithParametersTextAndBinary() throws Exception {
        for (String params : new String[] {"prepareThreshold=1&binaryTransfer=true", "prepareThreshold=5", "binaryTransfer=false"}) {
            try (Connection c = cluster.connect(params);
                 PreparedStatement ps = c.prepareStatement("SELECT pgml.embed(transformer => ?, text => ?) AS v")) {
                for (String text : new String[] {"first sentence", "second sentence", "", "Ünïcödé 日本語"}) {
                    ps.setString(1, MODEL);
                    ps.setString(2, text);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals("v", rs.getMetaData().getColumnName(1));
                        assertSameVector(reference(text), vector(rs, 1));
                    }
                }
            }
        }
    }

    @Test
    void s0NullGivesNullAndLongTextIsTruncated() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pgml.embed('" + MODEL + "', NULL)")) {
                assertTrue(rs.next());
                assertNull(rs.getArray(1));
            }
            String longText = "word ".repeat(2000);
            try (ResultSet rs = s.executeQuery("SELECT pgml.embed('" + MODEL + "', '" + longText + "')")) {
                assertTrue(rs.next());
                assertEquals(384, vector(rs, 1).length);
            }
        }
    }

    @Test
    void s0BatchFormReturnsOneRowPerInputInOrder() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM pgml.embed('" + MODEL + "', ARRAY['alpha', 'beta', 'gamma'])")) {
            for (String text : new String[] {"alpha", "beta", "gamma"}) {
                assertTrue(rs.next());
                assertSameVector(reference(text), vector(rs, 1));
            }
            assertFalse(rs.next());
        }
    }

    @Test
    void s1ConstantCallInsideALargerQuery() throws Exception {
        try (Connection c = cluster.connect("prepareThreshold=1");
             PreparedStatement ps = c.prepareStatement("SELECT id, pgml.cosine_similarity(pgml.embed(?, body), pgml.embed(?, ?)) "
                     + "FROM embed_docs WHERE id IN (1, 3) ORDER BY id")) {
            // a row-dependent call inside an expression beside a constant one: the general strategy
            ps.setString(1, MODEL);
            ps.setString(2, MODEL);
            ps.setString(3, "a cat on a mat");
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals("cosine_similarity", rs.getMetaData().getColumnName(2));
                float[] query = reference("a cat on a mat");
                for (String body : new String[] {"The cat sits on the mat.", "Quarterly revenue grew by ten percent."}) {
                    assertTrue(rs.next());
                    assertEquals(cosine(reference(body), query), rs.getDouble(2), 1e-4, body);
                }
                assertFalse(rs.next());
            }
        }
        try (Connection c = cluster.connect("prepareThreshold=1")) {
            try (Statement s = c.createStatement()) {
                s.execute("UPDATE embed_docs SET e = NULL");
                s.execute("UPDATE embed_docs SET e = pgml.embed('" + MODEL + "', body)");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM embed_docs WHERE e IS NOT NULL ORDER BY pgml.cosine_similarity(e, pgml.embed(?, ?)) DESC LIMIT 2")) {
                for (int run = 0; run < 3; run++) {
                    ps.setString(1, MODEL);
                    ps.setString(2, "a small cat lying on a carpet");
                    try (ResultSet rs = ps.executeQuery()) {
                        List<Integer> ids = new ArrayList<>();
                        while (rs.next()) {
                            ids.add(rs.getInt(1));
                        }
                        assertEquals(2, ids.size());
                        assertTrue(ids.containsAll(List.of(1, 2)), "cat sentences first: " + ids);
                    }
                }
            }
        }
    }

    @Test
    void s2SelectListRowsStreamedWithFetchSize() throws Exception {
        for (String params : new String[] {null, "prepareThreshold=1&binaryTransfer=true", "preferQueryMode=simple"}) {
            try (Connection c = cluster.connect(params)) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT id, pgml.embed('" + MODEL + "', body) AS emb, body FROM embed_docs WHERE id <= ? ORDER BY id")) {
                    ps.setFetchSize(2);
                    ps.setInt(1, 6);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertEquals("emb", rs.getMetaData().getColumnName(2));
                        int count = 0;
                        while (rs.next()) {
                            count++;
                            String body = rs.getString(3);
                            float[] v = vector(rs, 2);
                            if (body == null) {
                                assertNull(v, "NULL text gives NULL");
                            } else {
                                assertSameVector(reference(body), v);
                            }
                        }
                        assertEquals(6, count);
                    }
                }
                c.commit();
            }
        }
    }

    @Test
    void s3UpdateWritesAndRollbackLeavesNothing() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("UPDATE embed_docs SET e = NULL");
            c.setAutoCommit(false);
            assertEquals(5, s.executeUpdate("UPDATE embed_docs SET e = pgml.embed('" + MODEL + "', body) WHERE body IS NOT NULL"));
            c.rollback();
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM embed_docs WHERE e IS NOT NULL")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "rolled back");
            }
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE embed_docs d SET e = pgml.embed(?, d.body) WHERE d.e IS NULL AND d.id <> ? RETURNING d.id")) {
                ps.setString(1, MODEL);
                ps.setInt(2, 3);
                try (ResultSet rs = ps.executeQuery()) {
                    int n = 0;
                    while (rs.next()) {
                        n++;
                    }
                    assertEquals(5, n);
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT id, body, e FROM embed_docs ORDER BY id")) {
                while (rs.next()) {
                    float[] v = vector(rs, 3);
                    if (rs.getInt(1) == 3 || rs.getString(2) == null) {
                        assertNull(v);
                    } else {
                        assertSameVector(reference(rs.getString(2)), v);
                    }
                }
            }
        }
    }

    @Test
    void s3InsertSelectAndCreateTableAs() throws Exception {
        try (Connection c = cluster.connect("prepareThreshold=1"); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS embed_copy");
            s.execute("CREATE TABLE embed_copy AS SELECT id, pgml.embed('" + MODEL + "', body) AS e, body FROM embed_docs WHERE body IS NOT NULL");
            try (ResultSet rs = s.executeQuery("SELECT count(*), min(array_length(e, 1)) FROM embed_copy")) {
                assertTrue(rs.next());
                assertEquals(5, rs.getInt(1));
                assertEquals(384, rs.getInt(2));
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO embed_copy (id, e, body) SELECT id + 100, pgml.embed(?, body), body FROM embed_docs WHERE id <= ? RETURNING id")) {
                ps.setString(1, MODEL);
                ps.setInt(2, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    List<Integer> ids = new ArrayList<>();
                    while (rs.next()) {
                        ids.add(rs.getInt(1));
                    }
                    assertEquals(List.of(101, 102), ids);
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT body, e FROM embed_copy WHERE id IN (1, 101, 6)")) {
                int n = 0;
                while (rs.next()) {
                    n++;
                    assertSameVector(reference(rs.getString(1)), vector(rs, 2));
                }
                assertEquals(3, n);
            }
        }
    }

    @Test
    void subqueryAndCteAreMaterialisedThenQueriedByPostgres() throws Exception {
        try (Connection c = cluster.connect("prepareThreshold=1")) {
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH e AS (SELECT id, pgml.embed(?, body) AS v FROM embed_docs WHERE body IS NOT NULL)
                    SELECT id, array_length(v, 1) FROM e
                    WHERE pgml.cosine_similarity(v, pgml.embed(?, 'a cat on a rug')) > ?
                    ORDER BY pgml.cosine_similarity(v, pgml.embed(?, 'a cat on a rug')) DESC""")) {
                for (int run = 0; run < 2; run++) {
                    ps.setString(1, MODEL);
                    ps.setString(2, MODEL);
                    ps.setDouble(3, 0.3);
                    ps.setString(4, MODEL);
                    try (ResultSet rs = ps.executeQuery()) {
                        List<Integer> ids = new ArrayList<>();
                        while (rs.next()) {
                            ids.add(rs.getInt(1));
                            assertEquals(384, rs.getInt(2));
                        }
                        assertTrue(ids.size() >= 2 && ids.subList(0, 2).containsAll(List.of(1, 2)), "cats first: " + ids);
                        assertFalse(ids.contains(3), "revenue is not about cats: " + ids);
                    }
                }
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM (SELECT pgml.embed('" + MODEL + "', body) AS v FROM embed_docs) sub WHERE v IS NOT NULL")) {
                assertTrue(rs.next());
                assertEquals(5, rs.getInt(1));
            }
        }
    }

    @Test
    void batchInsertWithParameterisedCalls() throws Exception {
        for (String params : new String[] {null, "reWriteBatchedInserts=true&prepareThreshold=1"}) {
            try (Connection c = cluster.connect(params)) {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS embed_batch");
                    s.execute("CREATE TABLE embed_batch (id int, body text, e real[])");
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO embed_batch VALUES (?, ?, pgml.embed(?, ?))")) {
                    String[] bodies = {"first row", "second row", "third row"};
                    for (int i = 0; i < bodies.length; i++) {
                        ps.setInt(1, i);
                        ps.setString(2, bodies[i]);
                        ps.setString(3, MODEL);
                        ps.setString(4, bodies[i]);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT body, e FROM embed_batch ORDER BY id")) {
                    int n = 0;
                    while (rs.next()) {
                        n++;
                        assertSameVector(reference(rs.getString(1)), vector(rs, 2));
                    }
                    assertEquals(3, n);
                }
            }
        }
    }

    @Test
    void unknownModelIsAClearErrorAndTheConnectionStaysUsable() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT pgml.embed('no-such-org/no-such-model', 'x')"));
            assertEquals("42704", e.getSQLState());
            assertTrue(e.getMessage().contains("no-such-org/no-such-model"), e.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
    }

    @Test
    void s4ShapesAreServedAndTheRestRefusedWith0A000() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id FROM embed_docs WHERE pgml.embed('" + MODEL + "', body) IS NOT NULL "
                    + "AND id <= 4 ORDER BY id")) {
                for (int id = 1; id <= 3; id++) {
                    assertTrue(rs.next());
                    assertEquals(id, rs.getInt(1));
                }
                assertFalse(rs.next(), "the NULL body embeds to NULL");
            }
            // a view is kept by PostgreSQL; reading it makes PostgreSQL evaluate the call, which without
            // a callback server (decision 26) fails naming the sidecar
            s.execute("CREATE VIEW embed_view AS SELECT id, pgml.embed('" + MODEL + "', body) FROM embed_docs");
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM embed_view"));
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("pgml.embed() is served by pgml-sidecar"), e.getMessage());
            assertNotNull(((org.postgresql.util.PSQLException) e).getServerErrorMessage().getHint());
            try (ResultSet rs = s.executeQuery("SELECT 'pgml.embed(1)' AS t")) {
                assertTrue(rs.next());
                assertEquals("pgml.embed(1)", rs.getString(1));
            }
        }
    }

    @Test
    void semanticSanity() {
        float[] cat = reference("The cat sits on the mat.");
        float[] kitten = reference("A kitten is resting on a rug.");
        float[] revenue = reference("Quarterly revenue grew by ten percent.");
        assertTrue(cosine(cat, kitten) > cosine(cat, revenue) + 0.2);
    }
}
