package io.pgmlsidecar.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.ExternalProcess;
import io.pgmlsidecar.it.support.SidecarProcess;
import io.pgmlsidecar.it.support.TestCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The admin console (database pgml_sidecar) of a sidecar process started with --admin-role: psql and
 * pgjdbc log in through the upstream's own authentication (SCRAM relayed), members of the role get
 * the SHOW commands, everyone else a FATAL 42501 and nothing else; PAUSE answers once no transaction is
 * open and holds an application's next transaction until RESUME; SHUTDOWN stops the process.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AdminConsoleTest {

    private static final String ADMINS = "it_console_admins";
    private static final String NOBODY = "it_console_nobody";

    private static TestCluster cluster;
    private static SidecarProcess sidecar;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.get();
        try (Connection c = cluster.connectDirect(""); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + NOBODY);
            s.execute("DO $$ BEGIN CREATE ROLE " + ADMINS + " NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
            s.execute("GRANT " + ADMINS + " TO " + TestCluster.SCRAM_USER);
            s.execute("CREATE ROLE " + NOBODY + " LOGIN");
        }
        sidecar = SidecarProcess.start(cluster.postgresPort(), List.of("--admin-role", ADMINS, "--select-batch-rows", "77"), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    @Test
    @Order(1)
    void psqlShowsSessionsServersAndSettings() throws Exception {
        try (Connection app = appConnection("it-console-app")) {
            try (Statement s = app.createStatement()) {
                s.execute("DROP TABLE IF EXISTS it_console_train");
                s.execute("CREATE TABLE it_console_train AS SELECT g::real AS x, (2 * g + 1)::real AS y FROM generate_series(1, 20) g");
                s.executeQuery("SELECT * FROM pgml.train('it_console_linear', 'regression', 'it_console_train', 'y', 'linear')").close();
                s.executeQuery("SELECT pgml.predict('it_console_linear', ARRAY[3]::real[])").close();
                s.executeQuery("SELECT pgml.embed('intfloat/e5-small-v2', 'passage: hello')").close();
            }
            ExternalProcess.Result r = psql(TestCluster.SCRAM_USER, "SHOW HELP", "SHOW CLIENTS", "SHOW SERVERS", "SHOW STATS",
                    "SHOW MODELS", "SHOW BATCHES", "SHOW CONFIG");
            assertEquals(0, r.exitCode(), r.toString());
            String out = r.stdout();
            assertTrue(out.contains("command|description"), out);
            assertTrue(out.contains("SHOW MODELS|loaded models"), out);
            // the application's session, idle, and its upstream connection to the test PostgreSQL
            assertTrue(out.lines().anyMatch(l -> l.startsWith("C|postgres|postgres|idle|127.0.0.1|") && l.contains("|it-console-app|")), out);
            assertTrue(out.lines().anyMatch(l -> l.startsWith("S|postgres|postgres|idle|127.0.0.1|" + cluster.postgresPort() + "|")
                    && l.endsWith("|it-console-app")), out);
            assertTrue(out.contains("route|strategy|total_query_count|total_query_time|avg_query_time|total_errors|total_received|total_sent"), out);
            assertTrue(out.contains("cache|name|device|memory_bytes|calls"), out);
            // the loaded models with where they run and what they hold: the trained model (its stored size) and the embedding model
            assertTrue(out.lines().anyMatch(l -> l.matches("tabular\\|\\d+\\|cpu\\|[1-9]\\d*\\|1")), "one model call served: " + out);
            assertTrue(out.lines().anyMatch(l -> l.matches(".*\\|intfloat/e5-small-v2\\|cpu\\|[1-9]\\d*\\|[1-9]\\d*")), out);
            assertTrue(out.contains("select-batch-rows|setting||||77|"), out);
            assertTrue(out.contains("key|value|default|changeable"), out);
            assertTrue(out.contains("select-batch-rows|77|256|yes"), out);
            assertTrue(out.contains("listen|127.0.0.1:" + sidecar.port() + "|127.0.0.1:6432|no"), out);
            assertFalse(out.contains("SELECT pg_catalog.pg_has_role"), "the role check is the sidecar's own business");
        }
    }

    @Test
    @Order(2)
    void rolesWithoutTheGrantAreRefused() throws Exception {
        ExternalProcess.Result md5 = psql(TestCluster.MD5_USER, "SHOW CLIENTS");
        assertEquals(2, md5.exitCode(), md5.toString());
        assertTrue(md5.stderr().contains("permission denied for the admin console: role \"md5user\" is not a member of \""
                + ADMINS + "\""), md5.toString());
        assertFalse(md5.stdout().contains("type|user"), "nothing else: " + md5);

        SQLException nobody = assertThrows(SQLException.class, () -> console(NOBODY, null, true));
        assertEquals("42501", nobody.getSQLState(), nobody.toString());
        assertTrue(nobody.getMessage().contains("GRANT " + ADMINS + " TO " + NOBODY), nobody.getMessage());

        // a wrong password is PostgreSQL's own answer, relayed
        SQLException wrong = assertThrows(SQLException.class, () -> console(TestCluster.SCRAM_USER, "not-the-password", true));
        assertEquals("28P01", wrong.getSQLState(), wrong.toString());
    }

    @Test
    @Order(3)
    void pgjdbcSimpleProtocolGetsResultSetsAndUsableErrors() throws Exception {
        try (Connection c = console(TestCluster.SCRAM_USER, TestCluster.PASSWORD, true); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW CLIENTS")) {
                ResultSetMetaData md = rs.getMetaData();
                assertEquals(List.of("type", "user", "database", "state", "addr", "port", "local_addr", "local_port", "connect_time",
                        "tls", "application_name", "id"), columns(md));
            }
            SQLException unknown = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            assertEquals("42601", unknown.getSQLState());
            assertTrue(unknown.getMessage().contains("SHOW HELP"), unknown.getMessage());
            SQLException noItem = assertThrows(SQLException.class, () -> s.executeQuery("SHOW POOLS"));
            assertEquals("0A000", noItem.getSQLState());
            s.execute("SET application_name = 'x'"); // what drivers send on connect does no harm
            try (ResultSet rs = s.executeQuery("SHOW CONFIG")) {
                assertTrue(rs.next(), "usable after the errors");
            }
        }
        // pgjdbc's default (extended) protocol: a clear 0A000 each time, the connection stays up
        try (Connection c = console("postgres", null, false); Statement s = c.createStatement()) {
            for (int i = 0; i < 2; i++) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SHOW CLIENTS"));
                assertEquals("0A000", e.getSQLState(), e.toString());
                assertTrue(e.getMessage().contains("simple query protocol"), e.getMessage());
            }
            assertFalse(c.isClosed());
        }
    }

    @Test
    @Order(4)
    void pauseHoldsTheNextStatementUntilResume() throws Exception {
        try (Connection app = appConnection("it-console-paused"); Connection admin = console("postgres", null, true);
             Statement a = admin.createStatement()) {
            // as PgBouncer's: PAUSE answers once no transaction is open, and a session inside one goes on meanwhile
            app.setAutoCommit(false);
            try (Statement s = app.createStatement()) {
                s.execute("CREATE TEMP TABLE it_console_paused_tx (v int)");
            }
            CompletableFuture<Void> pause = CompletableFuture.runAsync(() -> {
                try {
                    a.execute("PAUSE");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(700);
            assertFalse(pause.isDone(), "PAUSE waits for the open transaction");
            try (Statement s = app.createStatement()) {
                s.execute("INSERT INTO it_console_paused_tx VALUES (1)");
            }
            app.commit();
            pause.get(10, TimeUnit.SECONDS);
            app.setAutoCommit(true);
            CompletableFuture<Integer> held = CompletableFuture.supplyAsync(() -> {
                try (Statement s = app.createStatement(); ResultSet rs = s.executeQuery("SELECT 42")) {
                    rs.next();
                    return rs.getInt(1);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(700);
            assertFalse(held.isDone(), "the statement waits while paused");
            List<String> states = new ArrayList<>();
            try (ResultSet rs = a.executeQuery("SHOW CLIENTS")) {
                while (rs.next()) {
                    if ("it-console-paused".equals(rs.getString("application_name"))) {
                        states.add(rs.getString("state"));
                    }
                }
            }
            assertEquals(List.of("paused"), states);
            a.execute("RESUME");
            assertEquals(42, held.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    @Order(5)
    void reloadAndShutdownFromTheConsole() throws Exception {
        try (Connection admin = console("postgres", null, true); Statement a = admin.createStatement()) {
            a.execute("RELOAD");
            assertTrue(a.getWarnings() != null && a.getWarnings().getMessage().contains("reload: done, 0 settings changed"),
                    String.valueOf(a.getWarnings()));
            a.execute("SHUTDOWN");
        }
        Integer exit = sidecar.awaitExit(Duration.ofSeconds(40));
        assertEquals(0, exit, sidecar.output());
        assertNotEquals(-1, sidecar.output().indexOf("pgml-sidecar stopped"), sidecar.output());
    }

    private static Connection appConnection(String applicationName) throws SQLException {
        return DriverManager.getConnection(sidecar.jdbcUrl() + "?ApplicationName=" + applicationName, "postgres", "");
    }

    private static Connection console(String user, String password, boolean simple) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password == null ? "" : password);
        if (simple) {
            p.setProperty("preferQueryMode", "simple");
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/pgml_sidecar", p);
    }

    private static ExternalProcess.Result psql(String user, String... commands) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("psql", "-X", "-A", "-F", "|", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                "-p", Integer.toString(sidecar.port()), "-U", user, "-d", "pgml_sidecar"));
        for (String c : commands) {
            cmd.addAll(List.of("-c", c));
        }
        return ExternalProcess.run(cmd, Map.of("PGPASSWORD", TestCluster.PASSWORD), (Path) null, Duration.ofSeconds(30));
    }

    private static List<String> columns(ResultSetMetaData md) throws SQLException {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            names.add(md.getColumnName(i));
        }
        return names;
    }
}
