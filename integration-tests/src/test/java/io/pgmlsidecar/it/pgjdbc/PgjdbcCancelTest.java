package io.pgmlsidecar.it.pgjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.NoBufferLeaks;
import org.junit.jupiter.api.extension.ExtendWith;
import io.pgmlsidecar.it.support.FaultyRelay;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.UpstreamActivity;
import io.pgmlsidecar.proxy.ProxyServer;
import java.sql.Connection;
import java.sql.DriverManager;
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
@ExtendWith(NoBufferLeaks.class)
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

    /**
     * pgjdbc takes the end of its cancel connection as "the server has the cancel" and only then
     * lets the cancelled statement's thread go on; a cancel still travelling after that could hit
     * the next statement. So the sidecar must keep that connection open until PostgreSQL closes
     * the one it forwarded — here PostgreSQL is reached through a relay that holds cancels 700 ms.
     */
    @Test
    void cancelReturnsOnlyOncePostgresHasTheRequest() throws Exception {
        Duration held = Duration.ofMillis(700);
        try (FaultyRelay relay = new FaultyRelay(cluster.postgresPort()).delayCancelRequests(held);
             ProxyServer sidecar = TestCluster.startSidecar(relay.port(), null);
             Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port()
                     + "/postgres?user=postgres&prepareThreshold=1&ApplicationName=it_jdbc_cancel_slow");
             PreparedStatement ps = c.prepareStatement("SELECT pg_sleep(?)")) {
            ps.setInt(1, 30);
            CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return ps.execute();
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
            });
            waitUntilActive("it_jdbc_cancel_slow");
            long start = System.nanoTime();
            ps.cancel();
            Duration cancelTook = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(1, relay.cancelsRelayed(), "cancel() returned before the request was passed to PostgreSQL");
            assertTrue(cancelTook.compareTo(held) >= 0, "cancel() returned after " + cancelTook);
            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
            assertEquals("57014", ((SQLException) e.getCause().getCause()).getSQLState());
            // nothing of the cancel is left to hit the statements that follow at once
            for (int i = 0; i < 5; i++) {
                ps.setDouble(1, 0.01);
                assertTrue(ps.execute());
                assertUsable(c);
            }
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
