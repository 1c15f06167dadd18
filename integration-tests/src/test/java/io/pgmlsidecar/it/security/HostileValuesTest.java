package io.pgmlsidecar.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.TinyTaskModels;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Values at absurd sizes and edges — a 10 MB text to embed, a million-element feature array, NaN and Infinity
 * features, max_new_tokens / batch sizes / kwargs far out of range, JSON nested beyond reason — each get an
 * answer or a clear PostgreSQL error (a SQLSTATE that is not an internal error, a message, a hint for the
 * sidecar's own errors), the connection stays usable, and the heap stays bounded.
 */
class HostileValuesTest {

    private static final TestCluster CLUSTER = TestCluster.get();
    private static final String EMBED_MODEL = "sentence-transformers/all-MiniLM-L6-v2";
    private static final String PROJECT = "hostile_values_project";

    @BeforeAll
    static void trainASmallModel() throws Exception {
        TinyTaskModels.install();
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS hostile_points; CREATE TABLE hostile_points AS SELECT x::real AS a, (x % 7)::real AS b, "
                    + "(3 * x + 1)::real AS y FROM generate_series(1, 40) x");
            s.executeQuery("SELECT * FROM pgml.train('" + PROJECT + "', 'regression', 'hostile_points', 'y', 'linear')").close();
        }
    }

    /** The error of {@code sql}, asserting it is a clear one; fails when {@code sql} succeeds. */
    private static PSQLException clearError(Statement s, String sql) {
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rs.getString(1);
            }
        } catch (PSQLException e) {
            assertClear(e, sql);
            return e;
        } catch (SQLException e) {
            fail(sql + ": not a server error: " + e);
        }
        fail("expected an error from " + abbreviate(sql));
        return null;
    }

    private static void assertClear(PSQLException e, String what) {
        assertNotNull(e.getServerErrorMessage(), abbreviate(what) + ": " + e);
        String state = e.getSQLState();
        assertNotNull(state, abbreviate(what));
        assertNotEquals("XX000", state, abbreviate(what) + ": an internal error: " + e.getMessage());
        assertNotEquals("08006", state, abbreviate(what) + ": the connection broke");
        String message = e.getServerErrorMessage().getMessage();
        assertTrue(message != null && !message.isBlank() && message.length() < 2000, abbreviate(what) + ": " + message);
        assertTrue(!message.contains("Exception") && !message.contains("\tat "), abbreviate(what) + ": a Java exception: " + message);
    }

    private static void usable(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
            assertTrue(rs.next());
            assertEquals(42, rs.getInt(1));
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void aTenMegabyteTextIsEmbeddedWithinTheModelsLengthOrRefused() throws Exception {
        String huge = "lorem ipsum dolor ".repeat(10 * 1024 * 1024 / 18);
        long before = heapAfterGc();
        try (Connection c = CLUSTER.connect(null)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pgml.embed(?, ?)")) {
                ps.setString(1, EMBED_MODEL);
                ps.setString(2, huge);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(384, ((Object[]) rs.getArray(1).getArray()).length, "one vector of the model's size");
                }
            } catch (PSQLException e) {
                assertClear(e, "embed of 10 MB");
            }
            try (Statement s = c.createStatement()) {
                // the same text made by PostgreSQL, row-dependent (the column is computed by the sidecar per batch)
                try (ResultSet rs = s.executeQuery("SELECT length(t), pgml.embed('" + EMBED_MODEL + "', t) FROM "
                        + "(SELECT repeat('lorem ipsum ', 900000) AS t) x")) {
                    assertTrue(rs.next());
                    assertEquals(10_800_000, rs.getInt(1));
                    assertEquals(384, ((Object[]) rs.getArray(2).getArray()).length);
                } catch (PSQLException e) {
                    assertClear(e, "row-dependent embed of 10 MB");
                }
                usable(s);
            }
        }
        long grown = heapAfterGc() - before;
        assertTrue(grown < 200L << 20, "heap grew by " + (grown >> 20) + " MiB after embedding 10 MB texts");
    }

    @Test
    void featureArraysOfAbsurdSizeOrValuesGetClearErrors() throws Exception {
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            PSQLException tooMany = clearError(s, "SELECT pgml.predict('" + PROJECT + "', ARRAY(SELECT g::real FROM generate_series(1, 1000000) g))");
            assertEquals("22023", tooMany.getSQLState(), tooMany.getMessage());
            usable(s);
            PSQLException empty = clearError(s, "SELECT pgml.predict('" + PROJECT + "', ARRAY[]::real[])");
            assertTrue(empty.getSQLState().startsWith("22"), empty.getSQLState() + " " + empty.getMessage());
            usable(s);
            for (String features : List.of("ARRAY['NaN'::real, 1]", "ARRAY['Infinity'::real, 2]", "ARRAY['-Infinity'::float8, 'NaN']",
                    "ARRAY[1e38::real, -1e38::real]")) {
                String sql = "SELECT pgml.predict('" + PROJECT + "', " + features + ")";
                try (ResultSet rs = s.executeQuery(sql)) {
                    assertTrue(rs.next());
                    // an answer is acceptable only as a real value PostgreSQL can print (NaN and ±Infinity are)
                    assertNotNull(rs.getString(1), sql);
                } catch (PSQLException e) {
                    assertClear(e, sql);
                }
                usable(s);
            }
            // a million feature rows through the row-dependent path: bounded by batches, answered
            try (ResultSet rs = s.executeQuery("SELECT count(p), max(p) > 0 FROM (SELECT pgml.predict('" + PROJECT
                    + "', ARRAY[g::real, (g % 7)::real]) AS p FROM generate_series(1, 200000) g) t")) {
                assertTrue(rs.next());
                assertEquals(200_000, rs.getInt(1));
            } catch (PSQLException e) {
                assertClear(e, "200k-row predict");
            }
            usable(s);
        }
    }

    @Test
    void trainingDataWithNanOrInfinityIsRefusedOrHandledClearly() throws Exception {
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS hostile_nan; CREATE TABLE hostile_nan AS SELECT x::real AS a, "
                    + "CASE WHEN x = 5 THEN 'NaN'::real WHEN x = 6 THEN 'Infinity'::real ELSE (2 * x)::real END AS y "
                    + "FROM generate_series(1, 30) x");
            String sql = "SELECT * FROM pgml.train('hostile_nan_project', 'regression', 'hostile_nan', 'y', 'linear')";
            try (ResultSet rs = s.executeQuery(sql)) {
                assertTrue(rs.next(), "trained: the non-finite labels were handled");
            } catch (PSQLException e) {
                assertClear(e, sql);
                assertTrue(e.getSQLState().startsWith("22"), e.getSQLState() + " " + e.getMessage());
            }
            usable(s);
        }
    }

    @Test
    void absurdGenerationAndBatchArgumentsGetClearErrors() throws Exception {
        String lm = "'{\"task\": \"text-generation\", \"model\": \"" + TinyTaskModels.CAUSAL_LM + "\"}'::jsonb";
        List<String> statements = new ArrayList<>();
        for (String args : List.of("{\"max_new_tokens\": 2147483647}", "{\"max_new_tokens\": 99999999999999999999}",
                "{\"max_new_tokens\": -1}", "{\"max_new_tokens\": \"lots\"}", "{\"max_length\": 1e300}",
                "{\"num_return_sequences\": 1000000000}", "{\"num_beams\": 1000000000}", "{\"top_k\": -5}",
                "{\"temperature\": -1, \"do_sample\": true}", "{\"batch_size\": 1000000000}")) {
            statements.add("SELECT pgml.transform(" + lm + ", '" + args + "', ARRAY['one two'])");
        }
        for (String kwargs : List.of("{\"batch_size\": 0}", "{\"batch_size\": 1000000000000}", "{\"batch_size\": \"x\"}",
                "{\"truncate_dim\": -3}", "{\"normalize\": {\"deep\": [1, 2]}}")) {
            statements.add("SELECT pgml.embed('" + EMBED_MODEL + "', 'text', '" + kwargs + "')");
        }
        statements.add("SELECT pgml.embed('" + "m".repeat(1_000_000) + "', 'text')");
        statements.add("SELECT pgml.embed('" + EMBED_MODEL + "', 'text', '" + "{\"a\": ".repeat(5000) + "1" + "}".repeat(5000) + "')");
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            for (String sql : statements) {
                long started = System.nanoTime();
                try (ResultSet rs = s.executeQuery(sql)) {
                    // bounded arguments may be served; what matters is that nothing runs away
                    while (rs.next()) {
                        rs.getString(1);
                    }
                } catch (PSQLException e) {
                    assertClear(e, sql);
                }
                long ms = (System.nanoTime() - started) / 1_000_000;
                assertTrue(ms < 60_000, abbreviate(sql) + " took " + ms + " ms");
                usable(s);
            }
        }
    }
}
