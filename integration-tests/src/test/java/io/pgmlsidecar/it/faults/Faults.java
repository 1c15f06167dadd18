package io.pgmlsidecar.it.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.util.PSQLException;

/** Assertions the fault tests share. */
final class Faults {
    private Faults() {}

    /** The failure is a connection failure (class 08) that the sidecar itself reported, with a message and a hint. */
    static void assertServerReportedConnectionFailure(SQLException e) {
        assertConnectionFailure(e);
        PSQLException pe = assertInstanceOfPsql(e);
        assertNotNull(pe.getServerErrorMessage(), "the sidecar sent an ErrorResponse, not just a closed socket: " + e);
        assertNotNull(pe.getServerErrorMessage().getHint(), "the error has a hint: " + e);
    }

    /** The failure is a connection failure (class 08, or 57P01 terminated), seen by the client. */
    static void assertConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        assertTrue(state != null && (state.startsWith("08") || state.equals("57P01")),
                "a connection failure, not " + state + ": " + e);
    }

    private static PSQLException assertInstanceOfPsql(SQLException e) {
        assertTrue(e instanceof PSQLException, "pgjdbc's exception: " + e);
        return (PSQLException) e;
    }

    /**
     * Closes a connection whose link a fault broke: pgjdbc may fail to send its Terminate on the
     * dead socket, which is no finding.
     */
    static void closeBroken(Connection c) {
        try {
            c.close();
        } catch (SQLException expected) {
            assertTrue(expected.getCause() instanceof java.io.IOException, "only the dead socket failed: " + expected);
        }
    }

    /** One row, one long value, on a direct connection to PostgreSQL. */
    static long directLong(String sql) throws SQLException {
        try (Connection d = TestCluster.get().connectDirect(null); Statement s = d.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    /** A connection through {@code upstream} works and answers right. */
    static void assertWorks(FaultyUpstream upstream) throws SQLException {
        try (Connection c = upstream.connect("it_faults_after"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sum(g) FROM generate_series(1, 1000) g")) {
            assertTrue(rs.next());
            assertEquals(500500, rs.getLong(1));
        }
    }

    /** State, wait event and query of each backend of {@code applicationName}, for failure messages. */
    static String backends(String applicationName) throws SQLException {
        StringBuilder b = new StringBuilder();
        try (Connection d = TestCluster.get().connectDirect(null); Statement s = d.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, wait_event, left(query, 120) FROM pg_stat_activity "
                     + "WHERE application_name = '" + applicationName + "'")) {
            while (rs.next()) {
                b.append('[').append(rs.getString(1)).append(", ").append(rs.getString(2)).append(", ").append(rs.getString(3)).append("] ");
            }
        }
        return b.toString();
    }

    /** Waits up to 20 s until no backend of {@code applicationName} is left on PostgreSQL. */
    static void awaitNoBackends(String applicationName) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        long n = -1;
        while (System.nanoTime() < deadline) {
            n = directLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + applicationName + "'");
            if (n == 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(n + " backends of " + applicationName + " still on PostgreSQL after 20 s: " + backends(applicationName));
    }
}
