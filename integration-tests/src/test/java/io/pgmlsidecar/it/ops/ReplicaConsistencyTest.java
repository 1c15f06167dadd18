package io.pgmlsidecar.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.SidecarProcess;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two sidecar replicas (processes of the packaged jar, each with its own caches and listener) on
 * one PostgreSQL: a model deployed through one is answered by both within a second (the deployment
 * caches listen to the registry's NOTIFY, decision 7), and a setting made through one is read
 * through the other at once (settings live in the database, encrypted with the shared key).
 */
class ReplicaConsistencyTest {

    private static final String PROJECT = "it_ops_replicas";

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aDeploymentThroughOneReplicaIsServedByBothWithinASecond() throws Exception {
        TestCluster cluster = TestCluster.get();
        Map<String, String> sharedKey = Map.of("PGML_SIDECAR_SECRETS_KEY", io.pgmlsidecar.planner.remote.SettingsCipher.newKeyBase64());
        try (SidecarProcess first = SidecarProcess.start(cluster.postgresPort(), List.of(), sharedKey);
             SidecarProcess second = SidecarProcess.start(cluster.postgresPort(), List.of(), sharedKey);
             Connection a = DriverManager.getConnection(first.jdbcUrl(), "postgres", ""); Statement sa = a.createStatement();
             Connection b = DriverManager.getConnection(second.jdbcUrl(), "postgres", ""); Statement sb = b.createStatement()) {
            sa.execute("DROP TABLE IF EXISTS it_ops_replica_rows");
            sa.execute("CREATE TABLE it_ops_replica_rows AS SELECT x::real AS x, (x * 2)::real AS y FROM generate_series(1, 60) x");
            sa.execute("SELECT * FROM pgml.train('" + PROJECT + "', 'regression', 'it_ops_replica_rows', 'y', 'linear')");
            // both replicas serve the linear model, and now hold it in their caches
            assertEquals(20f, predict(sa), 0.01f);
            assertEquals(20f, predict(sb), 0.01f);

            sa.execute("SELECT * FROM pgml.train('" + PROJECT + "', algorithm => 'ridge', hyperparams => '{\"alpha\": 1e9}', "
                    + "automatic_deploy => false)");
            String ridge = one(sa, "SELECT max(id) FROM pgml.models WHERE algorithm = 'ridge' AND project_id = "
                    + "(SELECT id FROM pgml.projects WHERE name = '" + PROJECT + "')");
            float expected = Float.parseFloat(one(sa, "SELECT pgml.predict(" + ridge + ", ARRAY[10]::real[])"));
            assertTrue(Math.abs(expected - 20f) > 5, "the ridge model answers differently: " + expected);
            assertEquals(20f, predict(sb), 0.01f, "not deployed yet");

            sa.execute("SELECT * FROM pgml.deploy(" + ridge + ")");
            long deployed = System.nanoTime();
            assertEquals(expected, predict(sa), 1e-3f, "the replica it was deployed through, at once");
            long seenAfter = -1;
            while (System.nanoTime() - deployed < TimeUnit.SECONDS.toNanos(5)) {
                if (Math.abs(predict(sb) - expected) < 1e-3f) {
                    seenAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deployed);
                    break;
                }
                Thread.sleep(10);
            }
            assertTrue(seenAfter >= 0, "the other replica never served the new deployment");
            System.out.println("ReplicaConsistencyTest: the other replica served the new deployment after " + seenAfter + " ms");
            assertTrue(seenAfter < 1000, "the other replica served the new deployment only after " + seenAfter + " ms");

            // a setting written through one replica is read through the other
            String value = "v-" + System.nanoTime();
            sa.executeQuery("SELECT azure_ai.set_setting('remote.it_ops_replica_check', '" + value + "')").close();
            assertEquals(value, one(sb, "SELECT azure_ai.get_setting('remote.it_ops_replica_check')"));
        }
    }

    private static float predict(Statement s) throws Exception {
        return Float.parseFloat(one(s, "SELECT pgml.predict('" + PROJECT + "', ARRAY[10]::real[])"));
    }

    private static String one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
