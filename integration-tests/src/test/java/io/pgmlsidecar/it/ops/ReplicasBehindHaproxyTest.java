package io.pgmlsidecar.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.SidecarProcess;
import io.pgmlsidecar.it.support.TestCluster;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Two sidecar replicas behind a TCP round-robin (HAProxy from Debian, as an operator would run it):
 * the two connections an application opens through it land on different replicas (told apart by
 * the admin console's SHOW SERVERS), a model is deployed through one, and the other answers with it
 * within a second.
 */
class ReplicasBehindHaproxyTest {

    private static final String PROJECT = "it_ops_haproxy";
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void deployThroughOnePredictThroughBoth() throws Exception {
        // like psql and pgbench for the other tests: a missing client is a setup error, never a silent skip
        assertTrue(Files.isExecutable(HAPROXY),
                "HAProxy is not installed: run bin/install-test-clients (apt-get install -y haproxy)");
        TestCluster cluster = TestCluster.get();
        Map<String, String> sharedKey = Map.of("PGML_SIDECAR_SECRETS_KEY", io.pgmlsidecar.planner.remote.SettingsCipher.newKeyBase64());
        List<String> args = List.of("--admin-role", "pg_monitor");
        int port = freePort();
        try (SidecarProcess first = SidecarProcess.start(cluster.postgresPort(), args, sharedKey);
             SidecarProcess second = SidecarProcess.start(cluster.postgresPort(), args, sharedKey);
             Haproxy lb = Haproxy.start(port, first.port(), second.port());
             Connection a = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             Statement sa = a.createStatement();
             Connection b = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             Statement sb = b.createStatement()) {
            SidecarProcess replicaOfA = replicaOf(sa, first, second);
            SidecarProcess replicaOfB = replicaOf(sb, first, second);
            assertNotEquals(replicaOfA, replicaOfB, "round robin: one connection on each replica");

            sa.execute("DROP TABLE IF EXISTS it_ops_haproxy_rows");
            sa.execute("CREATE TABLE it_ops_haproxy_rows AS SELECT x::real AS x, (x * 2)::real AS y FROM generate_series(1, 60) x");
            sa.execute("SELECT * FROM pgml.train('" + PROJECT + "', 'regression', 'it_ops_haproxy_rows', 'y', 'linear')");
            assertEquals(20f, predict(sa), 0.01f);
            assertEquals(20f, predict(sb), 0.01f, "the other replica, which now holds the model too");

            sa.execute("SELECT * FROM pgml.train('" + PROJECT + "', algorithm => 'ridge', hyperparams => '{\"alpha\": 1e9}', "
                    + "automatic_deploy => false)");
            String ridge = one(sa, "SELECT max(id) FROM pgml.models WHERE algorithm = 'ridge' AND project_id = "
                    + "(SELECT id FROM pgml.projects WHERE name = '" + PROJECT + "')");
            float expected = Float.parseFloat(one(sa, "SELECT pgml.predict(" + ridge + ", ARRAY[10]::real[])"));
            assertTrue(Math.abs(expected - 20f) > 5, "the ridge model answers differently: " + expected);

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
            System.out.println("ReplicasBehindHaproxyTest: the other replica served the new deployment after " + seenAfter + " ms");
            assertTrue(seenAfter >= 0 && seenAfter < 1000, "the other replica served the new deployment after " + seenAfter + " ms");
        }
    }

    /** The replica a connection runs on: the one whose SHOW SERVERS lists the upstream socket PostgreSQL sees. */
    private static SidecarProcess replicaOf(Statement s, SidecarProcess... replicas) throws Exception {
        String upstreamPort = one(s, "SELECT inet_client_port()");
        SidecarProcess found = null;
        for (SidecarProcess r : replicas) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + r.port()
                    + "/pgml_sidecar?preferQueryMode=simple", "postgres", "");
                 Statement console = c.createStatement(); ResultSet rs = console.executeQuery("SHOW SERVERS")) {
                while (rs.next()) {
                    if (upstreamPort.equals(rs.getString("local_port"))) {
                        assertEquals(null, found, "one replica holds that connection");
                        found = r;
                    }
                }
            }
        }
        assertNotEquals(null, found, "no replica lists upstream port " + upstreamPort);
        return found;
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

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** HAProxy in TCP mode, round robin over the replicas, in the foreground. */
    private record Haproxy(Process process, Path config) implements AutoCloseable {

        static Haproxy start(int port, int... backends) throws Exception {
            StringBuilder cfg = new StringBuilder("""
                    global
                      maxconn 200
                    defaults
                      mode tcp
                      timeout connect 5s
                      timeout client 5m
                      timeout server 5m
                    listen sidecars
                      bind 127.0.0.1:%d
                      balance roundrobin
                    """.formatted(port));
            for (int i = 0; i < backends.length; i++) {
                cfg.append("  server replica").append(i).append(" 127.0.0.1:").append(backends[i]).append('\n');
            }
            Path file = Files.createTempFile("it-haproxy-", ".cfg");
            Files.writeString(file, cfg.toString());
            Process p = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", file.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < until) {
                // a bare TCP probe would take a round-robin slot: wait for the listening socket instead
                if (listening(port)) {
                    return new Haproxy(p, file);
                }
                if (!p.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            p.destroy();
            throw new AssertionError("HAProxy did not start on port " + port + " (config " + cfg + ")");
        }

        private static boolean listening(int port) throws Exception {
            return Files.readAllLines(Path.of("/proc/net/tcp")).stream()
                    .anyMatch(l -> l.contains(String.format(":%04X 00000000:0000 0A", port)));
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(config);
        }
    }
}
