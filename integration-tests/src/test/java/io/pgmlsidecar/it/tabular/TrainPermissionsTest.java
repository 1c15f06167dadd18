package io.pgmlsidecar.it.tabular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Training reads through the caller's session: PostgreSQL's permissions decide, and the session stays usable. */
class TrainPermissionsTest {

    @Test
    void aRoleCannotTrainOnRowsItMayNotRead() throws Exception {
        TestCluster cluster = TestCluster.get();
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS secret_rows; CREATE TABLE secret_rows AS SELECT x::real AS x, (2 * x)::real AS y "
                    + "FROM generate_series(1, 20) x");
            s.execute("REVOKE ALL ON secret_rows FROM PUBLIC");
            // the role may use the registry, just not read that table
            s.execute("GRANT USAGE ON SCHEMA pgml TO " + TestCluster.MD5_USER);
            s.execute("GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA pgml TO " + TestCluster.MD5_USER);
            s.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA pgml TO " + TestCluster.MD5_USER);
        }
        String url = "jdbc:postgresql://127.0.0.1:" + cluster.sidecarPort() + "/postgres";
        try (Connection c = DriverManager.getConnection(url, TestCluster.MD5_USER, TestCluster.PASSWORD); Statement s = c.createStatement()) {
            SQLException denied = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT * FROM pgml.train('it_secret', 'regression', 'secret_rows', 'y')").close());
            assertEquals("42501", denied.getSQLState(), denied.getMessage());
            assertTrue(denied.getMessage().contains("secret_rows"), denied.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
        try (Connection c = cluster.connect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.projects WHERE name = 'it_secret'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "nothing was written");
        }
    }
}
