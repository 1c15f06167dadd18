package io.pgmlsidecar.it.pgjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterAll;

/** JDBC batches: many Parse/Bind/Execute in one round trip with a single Sync at the end. */
class PgjdbcBatchTest {

    private static final String TABLE = "it_jdbc_batch";
    private static final TestCluster cluster = TestCluster.get();

    @BeforeEach
    void recreate() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (id int PRIMARY KEY, v text NOT NULL)");
        }
    }

    @AfterAll
    static void drop() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    @Test
    void preparedBatch() throws Exception {
        try (Connection c = cluster.connect(null);
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, v) VALUES (?, ?)")) {
            for (int i = 1; i <= 2000; i++) {
                ps.setInt(1, i);
                ps.setString(2, "v" + i);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            assertEquals(2000, counts.length);
            assertTrue(Arrays.stream(counts).allMatch(n -> n == 1), Arrays.toString(Arrays.copyOf(counts, 10)));
        }
        assertRows(2000, 2000L * 2001 / 2);
    }

    @Test
    void rewrittenBatchedInserts() throws Exception {
        try (Connection c = cluster.connect("reWriteBatchedInserts=true");
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, v) VALUES (?, ?)")) {
            c.setAutoCommit(false);
            for (int i = 1; i <= 5000; i++) {
                ps.setInt(1, i);
                ps.setString(2, "v" + i);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            assertEquals(5000, counts.length);
            // rewritten multi-row inserts report SUCCESS_NO_INFO per row
            assertTrue(Arrays.stream(counts).allMatch(n -> n == Statement.SUCCESS_NO_INFO || n == 1));
            c.commit();
        }
        assertRows(5000, 5000L * 5001 / 2);
    }

    @Test
    void statementBatchWithMixedStatements() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.addBatch("INSERT INTO " + TABLE + " VALUES (1, 'a'), (2, 'b'), (3, 'c')");
            s.addBatch("UPDATE " + TABLE + " SET v = v || '!' WHERE id >= 2");
            s.addBatch("DELETE FROM " + TABLE + " WHERE id = 1");
            s.addBatch("INSERT INTO " + TABLE + " VALUES (10, 'x')");
            assertEquals("[3, 2, 1, 1]", Arrays.toString(s.executeBatch()));
            try (ResultSet rs = s.executeQuery("SELECT string_agg(id || '=' || v, ' ' ORDER BY id) FROM " + TABLE)) {
                assertTrue(rs.next());
                assertEquals("2=b! 3=c! 10=x", rs.getString(1));
            }
        }
    }

    @Test
    void failingStatementMidBatchAutocommit() throws Exception {
        // what PostgreSQL itself answers, without the sidecar
        int[] directCounts;
        try (Connection d = cluster.connectDirect(null)) {
            directCounts = runBatchWithDuplicateKey(d);
            assertRowsOn(d, 0, 0);
        }
        try (Connection c = cluster.connect(null)) {
            int[] counts = runBatchWithDuplicateKey(c);
            assertEquals(Arrays.toString(directCounts), Arrays.toString(counts), "update counts differ from a direct connection");
            // the batch ran in one implicit transaction (one Sync): nothing of it stays
            assertRowsOn(c, 0, 0);
            // and the connection is still usable, for batches too
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, v) VALUES (?, ?)")) {
                for (int i = 1; i <= 10; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "w" + i);
                    ps.addBatch();
                }
                assertEquals(10, ps.executeBatch().length);
            }
            assertRowsOn(c, 10, 55);
        }
    }

    /** 100 inserts where the 60th repeats key 10; returns the update counts of the BatchUpdateException. */
    private static int[] runBatchWithDuplicateKey(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, v) VALUES (?, ?)")) {
            for (int i = 1; i <= 100; i++) {
                ps.setInt(1, i == 60 ? 10 : i);
                ps.setString(2, "v" + i);
                ps.addBatch();
            }
            BatchUpdateException e = assertThrows(BatchUpdateException.class, ps::executeBatch);
            assertEquals("23505", sqlState(e));
            assertTrue(e.getMessage().contains("Batch entry 59"), e.getMessage());
            int[] counts = e.getUpdateCounts();
            assertEquals(100, counts.length);
            return counts;
        }
    }

    @Test
    void failingStatementMidBatchInTransactionThenRollback() throws Exception {
        try (Connection c = cluster.connect("reWriteBatchedInserts=true")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO " + TABLE + " VALUES (1000, 'before')");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, v) VALUES (?, ?)")) {
                for (int i = 1; i <= 50; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, i == 25 ? null : "v" + i); // NOT NULL violation
                    ps.addBatch();
                }
                BatchUpdateException e = assertThrows(BatchUpdateException.class, ps::executeBatch);
                assertEquals("23502", sqlState(e));
            }
            SQLException aborted = assertThrows(SQLException.class, () -> {
                try (Statement s = c.createStatement()) {
                    s.executeQuery("SELECT 1");
                }
            });
            assertEquals("25P02", aborted.getSQLState());
            c.rollback();
            assertRowsOn(c, 0, 0);
            c.commit();
        }
    }

    private static String sqlState(BatchUpdateException e) {
        // pgjdbc puts the server's error in the chain
        SQLException next = e.getNextException();
        return next != null && next.getSQLState() != null ? next.getSQLState() : e.getSQLState();
    }

    private static void assertRows(int count, long sum) throws SQLException {
        try (Connection c = cluster.connectDirect(null)) {
            assertRowsOn(c, count, sum);
        }
    }

    private static void assertRowsOn(Connection c, int count, long sum) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(id), 0) FROM " + TABLE)) {
            assertTrue(rs.next());
            assertEquals(count, rs.getInt(1));
            assertEquals(sum, rs.getLong(2));
        }
    }
}
