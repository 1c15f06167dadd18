package io.pgmlsidecar.it.pgjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.UpstreamActivity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Statement.cancel()} opens a new connection to the sidecar and sends a CancelRequest with
 * the key the sidecar issued; the sidecar must forward it upstream with the real backend's key.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PgjdbcCancelTest {

    private static final TestCluster cluster = TestCluster.get();

    @Test
    void cancelLongSleepFromAnotherThread() throws Exception {
        try (Connection c = cluster.connect("ApplicationName=it_jdbc_cancel_simple"); Statement s = c.createStatement()) {
            assertCancelled(c, s, "it_jdbc_cancel_simple", () -> s.execute("SELECT pg_sleep(30)"));
            assertUsable(c);
        }
    }

    @Test
    void cancelPreparedStatementWithNamedServerStatement() throws Exception {
        try (Connection c = cluster.connect("prepareThreshold=1&ApplicationName=it_jdbc_cancel_prepared");
             PreparedStatement ps = c.prepareStatement("SELECT pg_sleep(?)")) {
            ps.setInt(1, 30);
            assertCancelled(c, ps, "it_jdbc_cancel_prepared", ps::execute);
            assertUsable(c);
            // the named statement survived and can run again (short this time)
            ps.setDouble(1, 0.01);
            assertTrue(ps.execute());
        }
    }

    @Test
    void cancelInsideTransactionAbortsIt() throws Exception {
        try (Connection c = cluster.connect("ApplicationName=it_jdbc_cancel_tx"); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SELECT 1");
            assertCancelled(c, s, "it_jdbc_cancel_tx", () -> s.execute("SELECT pg_sleep(30)"));
            SQLException aborted = assertThrows(SQLException.class, () -> s.execute("SELECT 1"));
            assertEquals("25P02", aborted.getSQLState());
            c.rollback();
            assertUsable(c);
        }
    }

    @Test
    void cancelWhenNothingRunsIsHarmless() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.cancel();
            s.cancel();
            Thread.sleep(200);
            assertUsable(c);
        }
    }

    interface SqlCall {
        Object call() throws SQLException;
    }

    private static void assertCancelled(Connection c, Statement toCancel, String appName, SqlCall longCall) throws Exception {
        CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
            try {
                return longCall.call();
            } catch (SQLException e) {
                throw new RuntimeException(e);
            }
        });
        waitUntilActive(appName);
        long start = System.nanoTime();
        toCancel.cancel();
        ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(e.getCause().getCause() instanceof SQLException, String.valueOf(e.getCause()));
        SQLException sql = (SQLException) e.getCause().getCause();
        assertEquals("57014", sql.getSQLState(), sql.getMessage());
        assertTrue(sql.getMessage().contains("canceling statement due to user request"), sql.getMessage());
        assertTrue(took.toSeconds() < 5, "cancel took " + took);
    }

    /** Waits (via a direct connection) until the statement runs upstream, so the cancel cannot race it. */
    static void waitUntilActive(String appName) throws Exception {
        UpstreamActivity.await("SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND state = 'active' "
                + "AND query LIKE '%pg_sleep%'", "the statement of " + appName + " never became active upstream", appName);
    }

    private static void assertUsable(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 'still here'")) {
            assertTrue(rs.next());
            assertEquals("still here", rs.getString(1));
        }
    }
}
