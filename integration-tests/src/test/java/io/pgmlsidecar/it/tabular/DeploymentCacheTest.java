package io.pgmlsidecar.it.tabular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.proxy.ProxyServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Two sidecars on one database: predictions follow deployments made through the other sidecar
 * (notified by the registry's triggers), and a deployment inside an open transaction is not seen
 * by other sessions before it commits.
 */
class DeploymentCacheTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void predictionsFollowDeploymentsMadeThroughAnotherSidecar() throws Exception {
        try (ProxyServer other = TestCluster.startSidecar(cluster.postgresPort(), null);
             Connection a = cluster.connect(null); Statement sa = a.createStatement();
             Connection b = connect(other.port()); Statement sb = b.createStatement()) {
            sa.execute("DROP TABLE IF EXISTS cache_train; CREATE TABLE cache_train AS SELECT x::real AS x, (x * 2)::real AS y "
                    + "FROM generate_series(1, 50) x");
            sa.execute("SELECT * FROM pgml.train('it_cache', 'regression', 'cache_train', 'y', 'linear')");
            String firstModel = one(sa, "SELECT id FROM pgml.deployed_models WHERE name = 'it_cache'");
            float linear = Float.parseFloat(one(sb, "SELECT pgml.predict('it_cache', ARRAY[10]::real[])"));
            assertEquals(20f, linear, 0.01f);
            for (int i = 0; i < 20; i++) {
                one(sb, "SELECT pgml.predict('it_cache', ARRAY[10]::real[])"); // served from the cache from now on
            }
            // a cached prediction sends nothing to PostgreSQL: B's backend still shows the marker query
            String pid = one(sb, "SELECT pg_backend_pid()");
            one(sb, "SELECT 'cache-marker'");
            assertEquals(20f, Float.parseFloat(one(sb, "SELECT pgml.predict('it_cache', ARRAY[10]::real[])")), 0.01f);
            try (Connection d = cluster.connectDirect(null); Statement sd = d.createStatement()) {
                assertEquals("SELECT 'cache-marker'", one(sd, "SELECT query FROM pg_stat_activity WHERE pid = " + pid));
            }
            // a heavily regularised model, deployed through sidecar A
            sa.execute("SELECT * FROM pgml.train('it_cache', algorithm => 'ridge', hyperparams => '{\"alpha\": 1e9}', "
                    + "automatic_deploy => false)");
            String ridge = one(sa, "SELECT max(id) FROM pgml.models m WHERE m.algorithm = 'ridge' AND m.project_id = "
                    + "(SELECT id FROM pgml.projects WHERE name = 'it_cache')");
            sa.execute("SELECT * FROM pgml.deploy(" + ridge + ")");
            float heavy = Float.parseFloat(one(sa, "SELECT pgml.predict(" + ridge + ", ARRAY[10]::real[])"));
            assertTrue(Math.abs(heavy - 20f) > 5, "a heavily regularised model predicts differently: " + heavy);
            assertTrue(waitFor(sb, "SELECT pgml.predict('it_cache', ARRAY[10]::real[])", v -> Math.abs(Float.parseFloat(v) - heavy) < 1e-3),
                    "sidecar B serves the model deployed through A: " + one(sb, "SELECT pgml.predict('it_cache', ARRAY[10]::real[])")
                            + ", A: " + one(sa, "SELECT pgml.predict('it_cache', ARRAY[10]::real[])") + ", deployed: "
                            + one(sa, "SELECT id FROM pgml.deployed_models WHERE name = 'it_cache'"));

            // an uncommitted deployment is seen by its own session only
            a.setAutoCommit(false);
            sa.execute("SELECT * FROM pgml.deploy(" + firstModel + ")");
            assertEquals(20f, Float.parseFloat(one(sa, "SELECT pgml.predict('it_cache', ARRAY[10]::real[])")), 0.01f);
            for (int i = 0; i < 5; i++) {
                assertEquals(heavy, Float.parseFloat(one(sb, "SELECT pgml.predict('it_cache', ARRAY[10]::real[])")), 1e-3f);
            }
            a.rollback();
            a.setAutoCommit(true);
            Thread.sleep(300);
            assertEquals(heavy, Float.parseFloat(one(sb, "SELECT pgml.predict('it_cache', ARRAY[10]::real[])")), 1e-3f);
            assertEquals(heavy, Float.parseFloat(one(sa, "SELECT pgml.predict('it_cache', ARRAY[10]::real[])")), 1e-3f);
        }
    }

    private interface Check {
        boolean ok(String value);
    }

    private static boolean waitFor(Statement s, String sql, Check check) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (check.ok(one(s, sql))) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static Connection connect(int port) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
