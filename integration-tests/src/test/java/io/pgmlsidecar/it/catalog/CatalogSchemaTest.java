package io.pgmlsidecar.it.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.catalog.CatalogMigrator;
import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** PostgresML's registry tables, enums and views exist after the migration, and migrating is idempotent and concurrent-safe. */
class CatalogSchemaTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void registryTablesViewsAndEnums() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'pgml' "
                    + "AND table_name IN ('projects','snapshots','models','deployments','files','logs','overview','trained_models','deployed_models') ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertEquals(List.of("deployed_models", "deployments", "files", "logs", "models", "overview", "projects", "snapshots",
                    "trained_models"), tables);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM unnest(enum_range(NULL::pgml.algorithm))")) {
                assertTrue(rs.next());
                assertEquals(45, rs.getInt(1));
            }
            s.execute("BEGIN");
            s.execute("INSERT INTO pgml.projects (name, task) VALUES ('catalog_test', 'classification')");
            s.execute("INSERT INTO pgml.snapshots (relation_name, y_column_name, test_size, test_sampling, status) "
                    + "VALUES ('pgml.iris', ARRAY['target'], 0.25, 'random', 'successful')");
            s.execute("INSERT INTO pgml.models (project_id, snapshot_id, num_features, algorithm, hyperparams, status, search_params, search_args) "
                    + "SELECT p.id, (SELECT max(id) FROM pgml.snapshots), 4, 'xgboost', '{}', 'successful', '{}', '{}' FROM pgml.projects p WHERE name = 'catalog_test'");
            s.execute("INSERT INTO pgml.deployments (project_id, model_id, strategy) SELECT project_id, id, 'most_recent' FROM pgml.models "
                    + "WHERE project_id = (SELECT id FROM pgml.projects WHERE name = 'catalog_test')");
            try (ResultSet rs = s.executeQuery("SELECT name, algorithm FROM pgml.deployed_models WHERE name = 'catalog_test'")) {
                assertTrue(rs.next());
                assertEquals("xgboost", rs.getString(2));
            }
            try (ResultSet rs = s.executeQuery("SELECT deployed FROM pgml.trained_models WHERE name = 'catalog_test'")) {
                assertTrue(rs.next());
                assertTrue(rs.getBoolean(1));
            }
            s.execute("ROLLBACK");
        }
    }

    @Test
    void concurrentMigrationsAreSafeAndIdempotent() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS catalog_concurrent");
            s.execute("CREATE DATABASE catalog_concurrent");
        }
        String url = "jdbc:postgresql://127.0.0.1:" + cluster.postgresPort() + "/catalog_concurrent";
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                runs.add(pool.submit((Callable<Integer>) () -> CatalogMigrator.migrate(url, "postgres", "")));
            }
            int applied = 0;
            for (Future<Integer> f : runs) {
                applied += f.get();
            }
            int versions;
            try (Connection c = java.sql.DriverManager.getConnection(url, "postgres", "");
                 java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pgml." + CatalogMigrator.HISTORY_TABLE
                         + " WHERE success AND type = 'SQL'")) {
                rs.next();
                versions = rs.getInt(1);
            }
            assertTrue(versions >= 4, "the migrations were recorded: " + versions);
            assertEquals(versions, applied, "three sidecars starting together apply each migration once");
            assertEquals(0, CatalogMigrator.migrate(url, "postgres", ""), "a later start has nothing to apply");
        } finally {
            pool.shutdown();
        }
    }
}
