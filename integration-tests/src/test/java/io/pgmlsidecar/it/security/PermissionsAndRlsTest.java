package io.pgmlsidecar.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every API call reads and writes with the calling role's rights: row-level security filters training and
 * inference rows, the registry's grants decide who may deploy, overwrite or use a project, and a setting's value
 * never shows in another role's view of pg_stat_activity.
 */
class PermissionsAndRlsTest {

    private static final TestCluster CLUSTER = TestCluster.get();
    private static final String ALICE = "rls_alice";
    private static final String BOB = "rls_bob";
    /** May read the registry (and so predict), not change it. */
    private static final String READER = "rls_registry_reader";
    /** No rights on the registry at all. */
    private static final String OUTSIDER = "rls_outsider";
    private static final String EMBED_MODEL = "sentence-transformers/all-MiniLM-L6-v2";

    @BeforeAll
    static void setUp() throws Exception {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            for (String role : new String[] {ALICE, BOB, READER, OUTSIDER, "rls_watcher"}) {
                s.execute("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role + "') THEN "
                        + "EXECUTE 'DROP OWNED BY " + role + " CASCADE'; EXECUTE 'DROP ROLE " + role + "'; END IF; END $$");
                s.execute("CREATE ROLE " + role + " LOGIN");
            }
            for (String role : new String[] {ALICE, BOB}) {
                s.execute("GRANT USAGE ON SCHEMA pgml TO " + role);
                s.execute("GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA pgml TO " + role);
                s.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA pgml TO " + role);
            }
            s.execute("GRANT USAGE ON SCHEMA pgml TO " + READER);
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA pgml TO " + READER);
            s.execute("GRANT pg_read_all_stats TO rls_watcher");

            // x 1..30 are alice's rows, 31..100 bob's; the table's owner (postgres) is not subject to the policy
            s.execute("DROP TABLE IF EXISTS rls_points; CREATE TABLE rls_points AS SELECT x::real AS x, (2 * x + 1)::real AS y "
                    + "FROM generate_series(1, 100) x");
            s.execute("ALTER TABLE rls_points ENABLE ROW LEVEL SECURITY");
            s.execute("CREATE POLICY own_rows ON rls_points USING ((current_user = '" + ALICE + "' AND x <= 30) OR (current_user = '"
                    + BOB + "' AND x > 30))");
            s.execute("GRANT SELECT ON rls_points TO " + ALICE + ", " + BOB + ", " + READER + ", " + OUTSIDER);

            s.execute("DROP TABLE IF EXISTS rls_docs; CREATE TABLE rls_docs AS SELECT id, 'document number ' || id AS body, "
                    + "NULL::real[] AS e FROM generate_series(1, 8) id");
            s.execute("ALTER TABLE rls_docs ENABLE ROW LEVEL SECURITY");
            s.execute("CREATE POLICY own_docs ON rls_docs USING ((current_user = '" + ALICE + "' AND id <= 3) OR (current_user = '"
                    + BOB + "' AND id > 3))");
            s.execute("GRANT SELECT, UPDATE ON rls_docs TO " + ALICE + ", " + BOB);
        }
    }

    private static Connection as(String role) throws SQLException {
        return DriverManager.getConnection(CLUSTER.sidecarJdbcUrl(null), role, "");
    }

    private static int snapshotSamples(String project) throws SQLException {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (s.analysis->>'samples')::int FROM pgml.snapshots s JOIN pgml.models m "
                     + "ON m.snapshot_id = s.id JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = '" + project
                     + "' ORDER BY m.id DESC LIMIT 1")) {
            assertTrue(rs.next(), "a model of " + project);
            return rs.getInt(1);
        }
    }

    private static int count(Statement s, String sql) throws SQLException {
        int n = 0;
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                n++;
            }
        }
        return n;
    }

    private static void train(String role, String project) throws SQLException {
        try (Connection c = as(role); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.train('" + project + "', 'regression', 'rls_points', 'y', 'linear')").close();
        }
    }

    @Test
    void trainingAndPredictionSeeOnlyTheRolesRows() throws Exception {
        train(ALICE, "rls_alice_project");
        train(BOB, "rls_bob_project");
        assertEquals(30, snapshotSamples("rls_alice_project"), "alice's snapshot holds her 30 rows");
        assertEquals(70, snapshotSamples("rls_bob_project"), "bob's snapshot holds his 70 rows");

        try (Connection c = as(ALICE); Statement s = c.createStatement()) {
            assertEquals(30, count(s, "SELECT x, pgml.predict('rls_alice_project', ARRAY[x]) FROM rls_points"));
            try (ResultSet rs = s.executeQuery("SELECT count(*), max(x) FROM rls_points WHERE pgml.predict('rls_alice_project', ARRAY[x]) > 0")) {
                assertTrue(rs.next());
                assertEquals(30, rs.getInt(1), "a call in WHERE sees the same rows");
                assertEquals(30, rs.getInt(2));
            }
        }
        try (Connection c = as(BOB); Statement s = c.createStatement()) {
            assertEquals(70, count(s, "SELECT x, pgml.predict('rls_alice_project', ARRAY[x]) FROM rls_points"),
                    "bob may use alice's project (he may read the registry) but sees only his rows");
        }
    }

    @Test
    void embeddingReadsAndWritesBackOnlyTheRolesRows() throws Exception {
        try (Connection c = as(ALICE); Statement s = c.createStatement()) {
            assertEquals(3, count(s, "SELECT id, pgml.embed('" + EMBED_MODEL + "', body) FROM rls_docs"));
            assertEquals(3, s.executeUpdate("UPDATE rls_docs SET e = pgml.embed('" + EMBED_MODEL + "', body)"));
        }
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE e IS NOT NULL), max(id) FILTER (WHERE e IS NOT NULL) FROM rls_docs")) {
            assertTrue(rs.next());
            assertEquals(3, rs.getInt(1), "only alice's rows were written");
            assertEquals(3, rs.getInt(2));
        }
    }

    @Test
    void theRegistrysGrantsDecideWhoDeploysOverwritesAndUsesAProject() throws Exception {
        train(ALICE, "rls_guarded_project");
        long modelsBefore;
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id "
                     + "WHERE p.name = 'rls_guarded_project'")) {
            rs.next();
            modelsBefore = rs.getLong(1);
        }
        try (Connection c = as(READER); Statement s = c.createStatement()) {
            assertState("42501", s, "SELECT * FROM pgml.deploy('rls_guarded_project', 'most_recent')");
            assertState("42501", s, "SELECT * FROM pgml.train('rls_guarded_project', 'regression', 'rls_points', 'y', 'linear')");
            // PostgreSQL's own answer to the equivalent SQL: the same SQLSTATE
            assertState("42501", s, "INSERT INTO pgml.deployments (project_id, model_id, strategy) SELECT project_id, id, 'most_recent' "
                    + "FROM pgml.models LIMIT 1");
            assertEquals(0, count(s, "SELECT x, pgml.predict('rls_guarded_project', ARRAY[x]) FROM rls_points"),
                    "reading the registry suffices to predict; RLS leaves the reader no rows");
            try (ResultSet rs = s.executeQuery("SELECT pgml.predict('rls_guarded_project', ARRAY[1.0::real])")) {
                assertTrue(rs.next(), "the connection stays usable and predict works for the reader");
            }
        }
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id "
                     + "WHERE p.name = 'rls_guarded_project'")) {
            rs.next();
            assertEquals(modelsBefore, rs.getLong(1), "nothing was written by the refused calls");
        }
        // alice's predictions fill the sidecar's deployment cache; an outsider still gets PostgreSQL's refusal
        try (Connection c = as(ALICE); Statement s = c.createStatement()) {
            s.executeQuery("SELECT pgml.predict('rls_guarded_project', ARRAY[1.0::real])").close();
            s.executeQuery("SELECT pgml.predict('rls_guarded_project', ARRAY[1.0::real])").close();
        }
        try (Connection c = as(OUTSIDER); Statement s = c.createStatement()) {
            assertState("42501", s, "SELECT pgml.predict('rls_guarded_project', ARRAY[1.0::real])");
            assertState("42501", s, "SELECT * FROM pgml.deploy('rls_guarded_project', 'most_recent')");
            assertState("42501", s, "SELECT * FROM pgml.train('rls_guarded_project', 'regression', 'rls_points', 'y', 'linear')");
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
    }

    /**
     * The sidecar caches which model a project serves per login role; a REVOKE changes no registry row, so the
     * registry's event trigger (migration V8) tells the sidecars to forget, and the next predict is PostgreSQL's to refuse.
     */
    @Test
    void aRevokedRoleIsRefusedAtOnceDespiteTheDeploymentCache() throws Exception {
        train(ALICE, "rls_revoked_project");
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("GRANT USAGE ON SCHEMA pgml TO " + OUTSIDER);
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA pgml TO " + OUTSIDER);
        }
        try (Connection c = as(OUTSIDER); Statement s = c.createStatement()) {
            for (int i = 0; i < 3; i++) { // the first look-up fills the cache, the others are served from it
                s.executeQuery("SELECT pgml.predict('rls_revoked_project', ARRAY[1.0::real])").close();
            }
            try (Connection admin = CLUSTER.connectDirect(null); Statement a = admin.createStatement()) {
                a.execute("REVOKE SELECT ON ALL TABLES IN SCHEMA pgml FROM " + OUTSIDER);
                a.execute("REVOKE USAGE ON SCHEMA pgml FROM " + OUTSIDER);
            }
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            SQLException refused = null;
            while (refused == null && System.nanoTime() < deadline) { // the notification arrives asynchronously
                try {
                    s.executeQuery("SELECT pgml.predict('rls_revoked_project', ARRAY[1.0::real])").close();
                    Thread.sleep(100);
                } catch (SQLException e) {
                    refused = e;
                }
            }
            assertTrue(refused != null, "predict still served 30 s after the REVOKE");
            assertEquals("42501", refused.getSQLState(), refused.getMessage());
        }
    }

    /**
     * The cache's answers are for the role a statement runs as: after SET ROLE to a role without rights on the registry,
     * a predict the login role had cached is PostgreSQL's to refuse; RESET ROLE serves it again.
     */
    @Test
    void setRoleToALesserRoleIsRefusedDespiteTheDeploymentCache() throws Exception {
        train(ALICE, "rls_set_role_project");
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS rls_lesser");
            s.execute("CREATE ROLE rls_lesser NOLOGIN");
            s.execute("GRANT rls_lesser TO " + ALICE);
        }
        String predict = "SELECT pgml.predict('rls_set_role_project', ARRAY[1.0::real])";
        for (String mode : new String[] {"simple", "extended"}) {
            try (Connection c = DriverManager.getConnection(CLUSTER.sidecarJdbcUrl("preferQueryMode=" + mode), ALICE, "");
                 Statement s = c.createStatement()) {
                for (int i = 0; i < 3; i++) {
                    s.executeQuery(predict).close(); // the first fills the cache
                }
                s.execute("SET ROLE rls_lesser");
                assertState("42501", s, predict);
                s.execute("RESET ROLE");
                s.executeQuery(predict).close();
                c.setAutoCommit(false);
                s.execute("SET LOCAL ROLE rls_lesser");
                assertState("42501", s, predict);
                c.rollback();
                c.setAutoCommit(true);
                s.executeQuery(predict).close();
            }
        }
    }

    /**
     * Rights held through membership of another role change with GRANT/REVOKE role, which fire no event trigger: the
     * sidecars compare pg_auth_members every two seconds, so a revoked membership is refused within seconds, not after
     * the cache's five-minute expiry.
     */
    @Test
    void aRevokedMembershipIsRefusedWithinSecondsDespiteTheDeploymentCache() throws Exception {
        train(ALICE, "rls_membership_project");
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rls_member') THEN "
                    + "EXECUTE 'DROP OWNED BY rls_member CASCADE'; EXECUTE 'DROP ROLE rls_member'; END IF; END $$");
            s.execute("CREATE ROLE rls_member LOGIN");
            s.execute("GRANT " + READER + " TO rls_member");
        }
        try (Connection c = DriverManager.getConnection(CLUSTER.sidecarJdbcUrl(null), "rls_member", "");
             Statement s = c.createStatement()) {
            String predict = "SELECT pgml.predict('rls_membership_project', ARRAY[1.0::real])";
            for (int i = 0; i < 3; i++) {
                s.executeQuery(predict).close();
            }
            try (Connection admin = CLUSTER.connectDirect(null); Statement a = admin.createStatement()) {
                a.execute("REVOKE " + READER + " FROM rls_member");
            }
            long start = System.nanoTime();
            SQLException refused = null;
            while (refused == null && System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(60)) {
                try {
                    s.executeQuery(predict).close();
                    Thread.sleep(100);
                } catch (SQLException e) {
                    refused = e;
                }
            }
            long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(refused != null, "predict still served 60 s after the membership was revoked");
            assertEquals("42501", refused.getSQLState(), refused.getMessage());
            assertTrue(seconds <= 15, "refused after " + seconds + " s");
        }
    }

    @Test
    void aSettingsValueNeverShowsInAnotherRolesViewOfPgStatActivity() throws Exception {
        String secret = "sk-activity-5b1d77";
        try (Connection manager = CLUSTER.connect(null); Statement s = manager.createStatement()) {
            int pid;
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            s.executeQuery("SELECT azure_ai.set_setting('remote.activity_key', '" + secret + "')").close();
            try (PreparedStatement ps = manager.prepareStatement("SELECT azure_ai.set_setting('remote.activity_key2', ?)")) {
                ps.setString(1, secret);
                ps.executeQuery().close();
            }
            try (Connection watcher = DriverManager.getConnection(CLUSTER.directJdbcUrl(null), "rls_watcher", "");
                 PreparedStatement ps = watcher.prepareStatement("SELECT query FROM pg_stat_activity WHERE pid = ?")) {
                ps.setInt(1, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next(), "the watcher sees the manager's backend");
                    String query = rs.getString(1);
                    assertTrue(query.contains("sidecar_settings"), "the watcher sees the statement the sidecar ran: " + query);
                    assertFalse(query.contains(secret), query);
                }
            }
            s.executeQuery("SELECT azure_ai.set_setting('remote.activity_key', NULL)").close();
            s.executeQuery("SELECT azure_ai.set_setting('remote.activity_key2', NULL)").close();
        }
    }

    private static void assertState(String state, Statement s, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql).close(), sql);
        assertEquals(state, e.getSQLState(), sql + ": " + e.getMessage());
    }
}
