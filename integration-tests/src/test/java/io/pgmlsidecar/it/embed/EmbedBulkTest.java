package io.pgmlsidecar.it.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bulk path: UPDATE over thousands of rows, and a client killed in the middle of one. */
class EmbedBulkTest {

    private static final String MODEL = EmbedStrategiesTest.MODEL;
    private static final int ROWS = 5000;
    private final TestCluster cluster = TestCluster.get();

    @BeforeEach
    void createRows() throws SQLException {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS embed_bulk");
            s.execute("CREATE TABLE embed_bulk (id int PRIMARY KEY, body text, e real[])");
            s.execute("INSERT INTO embed_bulk (id, body) SELECT g, 'document number ' || g || ' talks about '"
                    + " || (ARRAY['cats','finance','weather','football','cooking'])[1 + g % 5] FROM generate_series(1, " + ROWS + ") g");
        }
    }

    @Test
    void bulkUpdateMatchesTheModel() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            assertEquals(ROWS, s.executeUpdate("UPDATE embed_bulk SET e = pgml.embed('" + MODEL + "', body) WHERE e IS NULL"));
            List<String> bodies = new ArrayList<>();
            List<float[]> stored = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT body, e FROM embed_bulk WHERE id % 97 = 0 ORDER BY id")) {
                while (rs.next()) {
                    bodies.add(rs.getString(1));
                    stored.add(EmbedStrategiesTest.vector(rs, 2));
                }
            }
            float[][] expected = cluster.embeddings().embed(MODEL, bodies, Map.of());
            for (int i = 0; i < bodies.size(); i++) {
                EmbedStrategiesTest.assertSameVector(expected[i], stored.get(i));
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM embed_bulk WHERE e IS NULL")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
            }
        }
    }

    @Test
    void clientKilledMidUpdateLeavesNothingWritten() throws Exception {
        Connection victim = cluster.connect("ApplicationName=victim");
        CompletableFuture<Integer> update = CompletableFuture.supplyAsync(() -> {
            try (Statement s = victim.createStatement()) {
                return s.executeUpdate("UPDATE embed_bulk SET e = pgml.embed('" + MODEL + "', body)");
            } catch (SQLException e) {
                return -1;
            }
        });
        try (Connection direct = cluster.connectDirect(null); Statement s = direct.createStatement()) {
            waitUntil(s, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'victim'", 1);
            Thread.sleep(1500); // the update is staging embeddings now
            victim.abort(Runnable::run);
            assertEquals(-1, update.get(30, TimeUnit.SECONDS));
            waitUntil(s, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'victim'", 0);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM embed_bulk WHERE e IS NOT NULL")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "nothing of the killed UPDATE may remain");
            }
        }
    }

    private static void waitUntil(Statement s, String countQuery, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (ResultSet rs = s.executeQuery(countQuery)) {
                rs.next();
                if (rs.getInt(1) == expected) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + countQuery + " = " + expected);
    }
}
