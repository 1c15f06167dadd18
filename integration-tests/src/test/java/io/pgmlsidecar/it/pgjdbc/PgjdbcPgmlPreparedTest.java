package io.pgmlsidecar.it.pgjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.UpstreamActivity;
import io.pgmlsidecar.planner.SidecarVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import io.pgmlsidecar.it.support.NoBufferLeaks;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** pgml.version() served by the sidecar through pgjdbc prepared statements, mixed with relayed ones. */
@ExtendWith(NoBufferLeaks.class)
class PgjdbcPgmlPreparedTest {

    private static final TestCluster cluster = TestCluster.get();

    @ParameterizedTest
    @ValueSource(strings = {"prepareThreshold=1", "prepareThreshold=5", "prepareThreshold=0", "prepareThreshold=-1"})
    void versionViaPreparedStatementInterleavedWithRelayedStatements(String params) throws Exception {
        try (Connection c = cluster.connect(params);
             PreparedStatement version = c.prepareStatement("SELECT pgml.version()");
             PreparedStatement relayed = c.prepareStatement("SELECT ?::int * 2")) {
            for (int i = 0; i < 8; i++) {
                try (ResultSet rs = version.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(SidecarVersion.get(), rs.getString(1));
                    assertFalse(rs.next());
                }
                relayed.setInt(1, i);
                try (ResultSet rs = relayed.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(2 * i, rs.getInt(1));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"prepareThreshold=1", "preferQueryMode=simple"})
    void versionInsideATransaction(String params) throws Exception {
        try (Connection c = cluster.connect(params)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMP TABLE it_jdbc_pgml_tmp (v text) ON COMMIT DROP");
                try (PreparedStatement ps = c.prepareStatement("SELECT pgml.version() AS v")) {
                    for (int i = 0; i < 3; i++) {
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next());
                            try (PreparedStatement ins = c.prepareStatement("INSERT INTO it_jdbc_pgml_tmp VALUES (?)")) {
                                ins.setString(1, rs.getString("v"));
                                ins.executeUpdate();
                            }
                        }
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*), min(v), max(v) FROM it_jdbc_pgml_tmp")) {
                    assertTrue(rs.next());
                    assertEquals(3, rs.getInt(1));
                    assertEquals(SidecarVersion.get(), rs.getString(2));
                    assertEquals(SidecarVersion.get(), rs.getString(3));
                }
            }
            c.commit();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"prepareThreshold=1", "preferQueryMode=simple", "preferQueryMode=extended"})
    void versionInAnAbortedTransactionFailsLikeAnyStatement(String params) throws Exception {
        try (Connection c = cluster.connect(params)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                java.sql.SQLException div = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                        () -> s.executeQuery("SELECT 1 / 0"));
                assertEquals("22012", div.getSQLState());
                // PostgreSQL refuses every statement until the transaction ends; pgml.* must not be an exception
                java.sql.SQLException aborted = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                        () -> s.executeQuery("SELECT pgml.version()"));
                assertEquals("25P02", aborted.getSQLState(), aborted.getMessage());
            }
            c.rollback();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pgml.version()")) {
                assertTrue(rs.next());
                assertEquals(SidecarVersion.get(), rs.getString(1));
            }
            c.commit();
        }
    }

    /**
     * Once the session holds a named statement the sidecar serves itself, every Bind/Execute/Describe/Close
     * is looked at by name; cursors (portal suspension), COPY and notifications must still flow through.
     */
    @org.junit.jupiter.api.Test
    void sessionHoldingAnInterceptedNamedStatementStillRelaysEverythingElse() throws Exception {
        try (Connection c = cluster.connect("prepareThreshold=1");
             Connection notifier = cluster.connect(null);
             PreparedStatement version = c.prepareStatement("SELECT pgml.version()")) {
            for (int i = 0; i < 3; i++) {
                try (ResultSet rs = version.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(SidecarVersion.get(), rs.getString(1));
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN it_jdbc_pgml_mixed");
                s.execute("CREATE TEMP TABLE it_jdbc_pgml_mixed (id int, t text)");
            }
            // COPY IN and OUT
            org.postgresql.copy.CopyManager copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            StringBuilder data = new StringBuilder();
            for (int i = 1; i <= 5000; i++) {
                data.append(i).append('\t').append("t").append(i).append('\n');
            }
            assertEquals(5000, copy.copyIn("COPY it_jdbc_pgml_mixed FROM STDIN", new java.io.StringReader(data.toString())));
            java.io.StringWriter out = new java.io.StringWriter();
            assertEquals(5000, copy.copyOut("COPY (SELECT * FROM it_jdbc_pgml_mixed ORDER BY id) TO STDOUT", out));
            assertEquals(data.toString(), out.toString());

            // a cursor with portal suspension, with the intercepted statement run between fetches
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, t FROM it_jdbc_pgml_mixed WHERE id > ? ORDER BY id")) {
                ps.setFetchSize(50);
                ps.setInt(1, 1000);
                int expected = 1000;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        expected++;
                        assertEquals(expected, rs.getInt(1));
                        assertEquals("t" + expected, rs.getString(2));
                        if (expected % 500 == 0) {
                            try (ResultSet v = version.executeQuery()) {
                                assertTrue(v.next());
                                assertEquals(SidecarVersion.get(), v.getString(1));
                            }
                        }
                    }
                }
                assertEquals(5000, expected);
            }
            c.commit();
            c.setAutoCommit(true);

            // a batch of relayed named statements
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO it_jdbc_pgml_mixed VALUES (?, ?)")) {
                for (int i = 0; i < 100; i++) {
                    ins.setInt(1, -i);
                    ins.setString(2, "b");
                    ins.addBatch();
                }
                assertEquals(100, ins.executeBatch().length);
            }

            // notifications sent by another session arrive
            try (Statement s = notifier.createStatement()) {
                s.execute("NOTIFY it_jdbc_pgml_mixed, 'mixed'");
            }
            org.postgresql.PGNotification[] got = c.unwrap(org.postgresql.PGConnection.class).getNotifications(5000);
            assertTrue(got != null && got.length == 1, java.util.Arrays.toString(got));
            assertEquals("mixed", got[0].getParameter());

            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM it_jdbc_pgml_mixed")) {
                assertTrue(rs.next());
                assertEquals(5100, rs.getInt(1));
            }
            try (ResultSet rs = version.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(SidecarVersion.get(), rs.getString(1));
            }

            // a relayed long statement can still be cancelled
            try (PreparedStatement sleep = c.prepareStatement("SELECT pg_sleep(30) /* it_jdbc_pgml_mixed */")) {
                java.util.concurrent.CompletableFuture<Void> running = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        sleep.execute();
                    } catch (java.sql.SQLException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                waitUntilRunningUpstream("%it_jdbc_pgml_mixed%");
                sleep.cancel();
                java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                        java.util.concurrent.ExecutionException.class, () -> running.get(10, java.util.concurrent.TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof java.sql.SQLException, String.valueOf(e.getCause()));
                assertEquals("57014", ((java.sql.SQLException) e.getCause()).getSQLState());
            }
            try (ResultSet rs = version.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(SidecarVersion.get(), rs.getString(1));
            }
        }
    }

    private static void waitUntilRunningUpstream(String queryPattern) throws Exception {
        UpstreamActivity.await("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE ? "
                + "AND pid <> pg_backend_pid()", "no statement like " + queryPattern + " became active upstream", queryPattern);
    }
}
