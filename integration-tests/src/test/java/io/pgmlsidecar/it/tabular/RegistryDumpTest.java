package io.pgmlsidecar.it.tabular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.catalog.CatalogMigrator;
import io.pgmlsidecar.it.support.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** pgml.dump_all / pgml.load_all move a registry to another database, where its models predict the same. */
class RegistryDumpTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void aRegistryMovesToAnotherDatabase() throws Exception {
        Path dir = TestCluster.serverFilesDir().resolve("registry-" + System.nanoTime()); // dump_all creates it
        String expected;
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("SELECT * FROM pgml.load_dataset('iris')");
            s.execute("SELECT * FROM pgml.train('it_dump', 'classification', 'pgml.iris', 'target', 'xgboost')");
            expected = one(s, "SELECT pgml.predict_proba('it_dump', ARRAY[6.7, 3.0, 5.2, 2.3])");
            assertEquals("", one(s, "SELECT pgml.dump_all('" + dir + "')"));
        }
        for (String t : new String[] {"projects", "snapshots", "models", "files", "deployments"}) {
            assertTrue(Files.size(dir.resolve(t + ".csv")) > 0, t);
        }
        try (Connection d = cluster.connectDirect(null); Statement s = d.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS registry_copy");
            s.execute("CREATE DATABASE registry_copy");
        }
        CatalogMigrator.migrate("jdbc:postgresql://127.0.0.1:" + cluster.postgresPort() + "/registry_copy", "postgres", "");
        String url = "jdbc:postgresql://127.0.0.1:" + cluster.sidecarPort() + "/registry_copy";
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            assertEquals("", one(s, "SELECT pgml.load_all('" + dir + "')"));
            assertEquals(expected, one(s, "SELECT pgml.predict_proba('it_dump', ARRAY[6.7, 3.0, 5.2, 2.3])"));
            long maxModel = Long.parseLong(one(s, "SELECT max(id) FROM pgml.models"));
            s.execute("SELECT * FROM pgml.load_dataset('iris')");
            s.execute("SELECT * FROM pgml.train('it_dump', algorithm => 'linear')");
            assertTrue(Long.parseLong(one(s, "SELECT max(id) FROM pgml.models")) > maxModel, "the id sequence moved past the loaded ids");
            String projects = one(s, "SELECT count(*) FROM pgml.projects");
            String files = one(s, "SELECT count(*) FROM pgml.files");
            SQLException twice = assertThrows(SQLException.class, () -> one(s, "SELECT pgml.load_all('" + dir + "')"));
            assertEquals("23505", twice.getSQLState());
            assertEquals(projects, one(s, "SELECT count(*) FROM pgml.projects"), "nothing half-loaded");
            assertEquals(files, one(s, "SELECT count(*) FROM pgml.files"), "nothing half-loaded");
            SQLException missing = assertThrows(SQLException.class, () -> one(s, "SELECT pgml.load_all('nonexistent/dir')"));
            assertEquals("58P01", missing.getSQLState());
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
