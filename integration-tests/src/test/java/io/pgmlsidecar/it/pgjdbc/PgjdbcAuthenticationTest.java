package io.pgmlsidecar.it.pgjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Authentication is relayed: PostgreSQL checks md5 and SCRAM passwords, the sidecar passes the exchange on. */
class PgjdbcAuthenticationTest {

    private static final TestCluster cluster = TestCluster.get();

    private static Connection login(String user, String password, String extra) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(cluster.sidecarJdbcUrl(extra), p);
    }

    @ParameterizedTest
    @CsvSource({
            TestCluster.MD5_USER + ",md5",
            TestCluster.SCRAM_USER + ",scram-sha-256",
    })
    void correctPasswordLogsIn(String user, String method) throws Exception {
        try (Connection c = login(user, TestCluster.PASSWORD, null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user, session_user, 6 * 7")) {
            assertTrue(rs.next());
            assertEquals(user, rs.getString(1));
            assertEquals(user, rs.getString(2));
            assertEquals(42, rs.getInt(3));
        }
        // the method PostgreSQL really used for this user
        try (Connection d = cluster.connectDirect(null); Statement s = d.createStatement();
             ResultSet rs = s.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '" + user + "'")) {
            assertTrue(rs.next());
            assertTrue(rs.getString(1).toLowerCase().startsWith(method.equals("md5") ? "md5" : "scram-sha-256$"), rs.getString(1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {TestCluster.MD5_USER, TestCluster.SCRAM_USER})
    void wrongPasswordIsRejectedWith28P01(String user) {
        SQLException e = assertThrows(SQLException.class, () -> login(user, "not-" + TestCluster.PASSWORD, null).close());
        assertEquals("28P01", e.getSQLState(), e.getMessage());
        assertTrue(e.getMessage().contains(user), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {TestCluster.MD5_USER, TestCluster.SCRAM_USER})
    void loggedInUserCanWorkWithPreparedStatements(String user) throws Exception {
        try (Connection c = login(user, TestCluster.PASSWORD, "prepareThreshold=1"); Statement s = c.createStatement()) {
            String table = "it_jdbc_auth_" + user;
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (id int)");
            try (var ps = c.prepareStatement("INSERT INTO " + table + " SELECT generate_series(1, ?)")) {
                ps.setInt(1, 10);
                assertEquals(10, ps.executeUpdate());
            }
            try (ResultSet rs = s.executeQuery("SELECT sum(id) FROM " + table)) {
                assertTrue(rs.next());
                assertEquals(55, rs.getInt(1));
            }
            s.execute("DROP TABLE " + table);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"channelBinding=disable", "channelBinding=prefer", "sslmode=disable", "sslmode=prefer"})
    void scramWithClientOptions(String params) throws Exception {
        try (Connection c = login(TestCluster.SCRAM_USER, TestCluster.PASSWORD, params); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user")) {
            assertTrue(rs.next());
            assertEquals(TestCluster.SCRAM_USER, rs.getString(1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"no_such_role_it"})
    void unknownRoleIsRejected(String user) {
        SQLException e = assertThrows(SQLException.class, () -> login(user, "x", null).close());
        // pg_hba trusts unknown users on 127.0.0.1, so PostgreSQL reports the missing role
        assertEquals("28000", e.getSQLState(), e.getMessage());
    }
}
