package io.pgmlsidecar.it.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.TinyTaskModels;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session's statement_timeout bounds the sidecar's own work for a statement (here a slow generation), not only the
 * statements it sends PostgreSQL, with PostgreSQL's error; however the setting was made: SET, SET LOCAL (and undone by
 * the transaction's end), set_config, ALTER ROLE … SET, in both protocols.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StatementTimeoutTest {

    private static final TestCluster CLUSTER = TestCluster.get();
    private static final String SLOW = "'{\"task\": \"text-generation\", \"model\": \"" + TinyTaskModels.CAUSAL_LM_SLOW + "\"}'::jsonb";
    private static final String ROLE = "timeout_role";
    /** A generation that takes about 4 × the timeout the tests set, measured on this machine first. */
    private static String longCall;
    private static long timeoutMs;

    @BeforeAll
    static void measureAStep() throws Exception {
        TinyTaskModels.install();
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            s.executeQuery(generation(1)).close(); // loaded
            long start = System.nanoTime();
            s.executeQuery(generation(10)).close();
            double msPerStep = (System.nanoTime() - start) / 1e6 / 10;
            timeoutMs = Math.max(300, Math.round(msPerStep * 10));
            longCall = generation((int) Math.min(2000, Math.ceil(4.0 * timeoutMs / msPerStep)));
        }
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + ROLE);
            s.execute("CREATE ROLE " + ROLE + " LOGIN");
            s.execute("ALTER ROLE " + ROLE + " SET statement_timeout = " + timeoutMs);
        }
    }

    private static String generation(int tokens) {
        return "SELECT pgml.transform(" + SLOW + ", '{\"min_new_tokens\": " + tokens + ", \"max_new_tokens\": " + tokens
                + "}', ARRAY['one'])";
    }

    @Test
    void aSetTimeoutStopsTheSidecarsWorkWithPostgresError() throws Exception {
        for (String mode : new String[] {"simple", "extended"}) {
            try (Connection c = CLUSTER.connect("preferQueryMode=" + mode); Statement s = c.createStatement()) {
                s.execute("SET statement_timeout = " + timeoutMs);
                assertTimesOut(s, mode);
                s.execute("RESET statement_timeout");
                assertCompletes(s, mode + ", after RESET");
            }
        }
    }

    @Test
    void setLocalLastsForItsTransactionAndSetConfigCountsToo() throws Exception {
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SET LOCAL statement_timeout = " + timeoutMs);
            assertTimesOut(s, "SET LOCAL");
            c.rollback();
            c.setAutoCommit(true);
            assertCompletes(s, "after the transaction that SET LOCAL was in");

            s.executeQuery("SELECT set_config('statement_timeout', '" + timeoutMs + "', false)").close();
            assertTimesOut(s, "set_config");
            s.executeQuery("SELECT set_config('statement_timeout', '0', false)").close();
            assertCompletes(s, "set_config back to 0");
        }
    }

    @Test
    void aRolesDefaultTimeoutAppliesWithoutAnySet() throws Exception {
        try (Connection c = DriverManager.getConnection(CLUSTER.sidecarJdbcUrl(null), ROLE, ""); Statement s = c.createStatement()) {
            assertTimesOut(s, "ALTER ROLE … SET statement_timeout");
        }
    }

    private static void assertTimesOut(Statement s, String what) throws SQLException {
        long start = System.nanoTime();
        SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(longCall).close(), what);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("57014", e.getSQLState(), what + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("canceling statement due to statement timeout"), what + ": " + e.getMessage());
        assertTrue(ms < 3 * timeoutMs + 2_000, what + ": stopped after " + ms + " ms with statement_timeout " + timeoutMs + " ms");
        try (ResultSet rs = s.executeQuery("SELECT 1")) {
            assertTrue(rs.next(), what + ": the connection is usable after the timeout");
        }
    }

    private static void assertCompletes(Statement s, String what) throws SQLException {
        long start = System.nanoTime();
        try (ResultSet rs = s.executeQuery(longCall)) {
            assertTrue(rs.next(), what);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms > timeoutMs, what + ": the call ran " + ms + " ms, longer than the timeout that is no longer set");
    }
}
