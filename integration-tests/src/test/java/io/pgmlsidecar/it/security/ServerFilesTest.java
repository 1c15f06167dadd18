package io.pgmlsidecar.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.planner.PgmlInterceptor;
import io.pgmlsidecar.planner.SidecarServices;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Files on the sidecar's host get PostgreSQL's rule for server files: only superusers and members of
 * pg_read_server_files / pg_write_server_files, only under the operator's directory, no way out by .. or links.
 */
class ServerFilesTest {

    private static final TestCluster CLUSTER = TestCluster.get();
    private static final String NOBODY = "files_nobody";
    private static final String READER = "files_reader";
    private static final String WRITER = "files_writer";
    private static final String NOINHERIT = "files_noinherit";
    private static Path root;
    private static Path secret;

    @BeforeAll
    static void setUp() throws Exception {
        root = TestCluster.serverFilesDir();
        Files.writeString(root.resolve("points.csv"), "x,y\n1,2\n3,4\n5,6\n");
        Path outside = Files.createTempDirectory("pgml-outside-");
        secret = Files.writeString(outside.resolve("secret.csv"), "key\nhunter2\n");
        Path link = root.resolve("escape.csv");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, secret);
        Path linkDir = root.resolve("escape-dir");
        Files.deleteIfExists(linkDir);
        Files.createSymbolicLink(linkDir, outside);
        setUpRoles();
    }

    private static void setUpRoles() throws SQLException {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            for (String role : new String[] {NOBODY, READER, WRITER, NOINHERIT}) {
                s.execute("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role + "') THEN "
                        + "EXECUTE 'DROP OWNED BY " + role + " CASCADE'; EXECUTE 'DROP ROLE " + role + "'; END IF; END $$");
                s.execute("CREATE ROLE " + role + " LOGIN");
                s.execute("GRANT ALL ON SCHEMA public TO " + role);
                s.execute("GRANT USAGE, CREATE ON SCHEMA pgml TO " + role);
                s.execute("GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA pgml TO " + role);
            }
            s.execute("GRANT pg_read_server_files TO " + READER);
            s.execute("GRANT pg_write_server_files, pg_read_server_files TO " + WRITER);
            s.execute("ALTER ROLE " + NOINHERIT + " NOINHERIT");
            s.execute("GRANT pg_read_server_files TO " + NOINHERIT);
        }
    }

    @Test
    void aRoleWithoutServerFilePrivilegesIsRefusedAsPostgresqlRefusesCopyFromAFile() throws Exception {
        try (Connection c = as(NOBODY); Statement s = c.createStatement()) {
            assertState("42501", s, "SELECT * FROM pgml.load_dataset('points', kwargs => '{\"path\": \"points.csv\"}')");
            assertState("42501", s, "SELECT * FROM pgml.load_dataset('secret', kwargs => '{\"path\": \"" + secret + "\"}')");
            assertState("42501", s, "SELECT pgml.dump_all('nobody-dump')");
            assertState("42501", s, "SELECT pgml.load_all('nobody-dump')");
            assertFalse(Files.exists(root.resolve("nobody-dump")), "nothing created for a refused role");
            // PostgreSQL's own answer to the same role, for comparison: the same SQLSTATE
            assertState("42501", s, "COPY (SELECT 1) TO '/tmp/pgml-nobody.csv'");
            assertEquals("1", one(s, "SELECT 1"), "the connection stays usable");
        }
        try (Connection c = as(NOINHERIT); Statement s = c.createStatement()) {
            assertState("42501", s, "SELECT * FROM pgml.load_dataset('points', kwargs => '{\"path\": \"points.csv\"}')");
        }
    }

    @Test
    void setRoleIsHonouredBecauseTheCheckRunsOnTheSession() throws Exception {
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) {
            s.execute("SET ROLE " + NOBODY);
            assertState("42501", s, "SELECT * FROM pgml.load_dataset('points', kwargs => '{\"path\": \"points.csv\"}')");
            s.execute("RESET ROLE");
            assertEquals("3", rows(s, "SELECT * FROM pgml.load_dataset('points', kwargs => '{\"path\": \"points.csv\"}')"));
        }
    }

    @Test
    void readersMayReadUnderTheDirectoryButNotWrite() throws Exception {
        try (Connection c = as(READER); Statement s = c.createStatement()) {
            assertEquals("3", rows(s, "SELECT * FROM pgml.load_dataset('reader_points', kwargs => '{\"path\": \"points.csv\"}')"));
            assertEquals("9", one(s, "SELECT sum(x)::int FROM pgml.reader_points"));
            assertState("42501", s, "SELECT pgml.dump_all('reader-dump')");
            assertFalse(Files.exists(root.resolve("reader-dump")));
        }
    }

    @Test
    void noPathLeadsOutOfTheDirectory() throws Exception {
        try (Connection c = CLUSTER.connect(null); Statement s = c.createStatement()) { // a superuser
            assertState("42501", s, "SELECT * FROM pgml.load_dataset('s', kwargs => '{\"path\": \"" + secret + "\"}')");
            assertState("42501", s, "SELECT * FROM pgml.load_dataset('s', kwargs => '{\"path\": \"../" + secret.getParent().getFileName()
                    + "/secret.csv\"}')");
            assertState("42501", s, "SELECT * FROM pgml.load_dataset('s', kwargs => '{\"path\": \"sub/../points.csv\"}')");
            assertState("42501", s, "SELECT * FROM pgml.load_dataset('s', kwargs => '{\"path\": \"escape.csv\"}')");
            assertState("42501", s, "SELECT * FROM pgml.load_dataset('s', kwargs => '{\"path\": \"escape-dir/secret.csv\"}')");
            assertState("42501", s, "SELECT pgml.dump_all('escape-dir/dump')");
            assertFalse(Files.exists(secret.getParent().resolve("dump")), "nothing written through the link");
            assertState("42501", s, "SELECT pgml.dump_all('/etc/pgml-dump')");
            assertState("58P01", s, "SELECT * FROM pgml.load_dataset('s', kwargs => '{\"path\": \"missing.csv\"}')");
            // an absolute path under the directory is the same file as the relative one
            assertEquals("3", rows(s, "SELECT * FROM pgml.load_dataset('abs_points', kwargs => '{\"path\": \""
                    + root.resolve("points.csv") + "\"}')"));
            assertEquals("1", one(s, "SELECT 1"));
        }
    }

    @Test
    void writersDumpUnderTheDirectoryWithoutFollowingAPlantedLink() throws Exception {
        Path dump = root.resolve("writer-dump");
        Files.createDirectories(dump);
        Path planted = dump.resolve("projects.csv");
        Files.deleteIfExists(planted);
        Files.createSymbolicLink(planted, secret);
        try (Connection c = as(WRITER); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> one(s, "SELECT pgml.dump_all('writer-dump')"));
            assertEquals("58030", e.getSQLState(), e.getMessage());
            assertEquals("key\nhunter2\n", Files.readString(secret), "the link's target is untouched");
            Files.delete(planted);
            assertEquals("", one(s, "SELECT pgml.dump_all('writer-dump')"));
            assertTrue(Files.size(dump.resolve("models.csv")) > 0);
        }
    }

    @Test
    void withoutAServerFilesDirectoryHostFilesAreOffEvenForSuperusers() throws Exception {
        ProxyServer bare = new ProxyServer(ProxyConfig.of("127.0.0.1", 0, "127.0.0.1", CLUSTER.postgresPort()).withEventLoopThreads(1),
                new PgmlInterceptor(SidecarServices.builder().build())).start();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + bare.port() + "/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> one(s, "SELECT * FROM pgml.load_dataset('p', kwargs => '{\"path\": \"" + root.resolve("points.csv") + "\"}')"));
            assertEquals("55000", e.getSQLState());
            assertTrue(e.getMessage().contains("--server-files-dir"), e.getMessage());
            assertState("55000", s, "SELECT pgml.dump_all('" + root.resolve("off-dump") + "')");
            assertFalse(Files.exists(root.resolve("off-dump")));
            assertEquals("1", one(s, "SELECT 1"));
        } finally {
            bare.close();
        }
    }

    private static Connection as(String role) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + CLUSTER.sidecarPort() + "/postgres", role, "");
    }

    private static void assertState(String state, Statement s, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> one(s, sql), sql);
        assertEquals(state, e.getSQLState(), sql + " → " + e.getMessage());
    }

    /** The rows column of load_dataset's result, read by name as clients do. */
    private static String rows(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString("rows");
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
