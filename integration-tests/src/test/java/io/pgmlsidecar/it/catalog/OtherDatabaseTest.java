package io.pgmlsidecar.it.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.ExternalProcess;
import io.pgmlsidecar.it.support.SidecarProcess;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.TinyTaskModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Clients of two databases of the same server through one sidecar. The sidecar installs the pgml schema where the
 * operator says — the database of --upstream, those of --migrate-databases, or with {@code pgml-sidecar migrate
 * --database} — and never on a client's behalf (decision 36r). In a database without it, calls that need the registry
 * are refused with 3F000 and a hint naming both ways; calls that need none (pgml.embed) are served; once the operator
 * has prepared the database, training and predicting work there, each database keeping its own registry.
 */
class OtherDatabaseTest {
    private static final TestCluster cluster = TestCluster.get();

    @Test
    void aDatabaseWithoutThePgmlSchemaIsRefusedWithTheCommandThatPreparesIt() throws Exception {
        TinyTaskModels.install();
        recreate("pgml_other");
        try (Connection c = connect(cluster.sidecarPort(), "pgml_other"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t AS SELECT g::float8 AS x, (2 * g + 1)::float8 AS y FROM generate_series(1, 100) g");
            for (String sql : List.of("SELECT * FROM pgml.train('other_db', 'regression', 't', 'y', 'linear')",
                    "SELECT pgml.predict('other_db', ARRAY[1.0])", "SELECT * FROM pgml.load_dataset('iris')")) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql).close(), sql);
                assertEquals("3F000", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("the pgml schema is not installed in database \"pgml_other\""), e.getMessage());
                String hint = ((PSQLException) e).getServerErrorMessage().getHint();
                assertTrue(hint.contains("pgml-sidecar migrate --database pgml_other") && hint.contains("--migrate-databases"), hint);
                assertTrue(((PSQLException) e).getServerErrorMessage().getPosition() == 0,
                        "no position in a statement the client never wrote");
            }
            try (ResultSet rs = s.executeQuery("SELECT array_length(pgml.embed('" + TinyTaskModels.FEATURES + "', 'good movie'), 1)")) {
                rs.next();
                assertEquals(4, rs.getInt(1), "a call that needs no registry is served there");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = 'pgml'")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "a client's call never installs the schema");
            }
        }

        // the operator prepares it, as the hint says
        ExternalProcess.Result r = ExternalProcess.run(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar",
                SidecarProcess.JAR.toString(), "--upstream", "postgresql://postgres@127.0.0.1:" + cluster.postgresPort() + "/postgres",
                "migrate", "--database", "pgml_other"), Map.of(), null, Duration.ofSeconds(120));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("pgml schema in postgresql://postgres@127.0.0.1:" + cluster.postgresPort()
                + "/pgml_other is up to date"), r.stdout());

        try (Connection c = connect(cluster.sidecarPort(), "pgml_other"); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.train('other_db', 'regression', 't', 'y', 'linear')").close();
            try (ResultSet rs = s.executeQuery("SELECT round(pgml.predict('other_db', ARRAY[10.0])::numeric, 1)")) {
                rs.next();
                assertEquals(21.0, rs.getDouble(1), 0.01);
            }
        }
        try (Connection c = cluster.connect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.projects WHERE name = 'other_db'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "each database keeps its own registry");
        }
    }

    @Test
    void theDatabasesListedInMigrateDatabasesArePreparedAtStart() throws Exception {
        recreate("pgml_listed");
        try (SidecarProcess sidecar = SidecarProcess.start(cluster.postgresPort(), List.of("--migrate-databases", "pgml_listed"),
                Map.of()); Connection c = connect(sidecar.port(), "pgml_listed"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t AS SELECT g::float8 AS x, (g % 2)::float8 AS y FROM generate_series(1, 100) g");
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('listed_db', 'classification', 't', 'y')")) {
                assertTrue(rs.next());
                assertEquals("listed_db", rs.getString("project"));
            }
            assertTrue(sidecar.output().contains("/pgml_listed is up to date"), sidecar.output());
        }
    }

    private static void recreate(String db) throws SQLException {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + db);
        }
    }

    private static Connection connect(int port, String db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db, p);
    }

    private static String java() {
        String home = System.getenv("JAVA_HOME");
        if (home == null || !Files.isExecutable(Path.of(home, "bin", "java"))) home = System.getProperty("java.home");
        return Path.of(home, "bin", "java").toString();
    }
}
