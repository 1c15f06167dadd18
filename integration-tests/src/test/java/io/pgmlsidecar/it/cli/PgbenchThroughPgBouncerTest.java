package io.pgmlsidecar.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.bench.PgBouncerProcess;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.proxy.ProxyServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pooled topologies with PgBouncer in transaction mode: pgbench → PgBouncer → sidecar →
 * PostgreSQL and pgbench → sidecar → PgBouncer → PostgreSQL, each transaction mixing relayed
 * statements with calls of every strategy (S0 alone, S1 constant, S2 SELECT list, S3 write, S4
 * elsewhere, and a call inside an explicit transaction). No transaction may fail, and the writes
 * must have happened.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PgbenchThroughPgBouncerTest {

    private static final String PROJECT = "it_ops_pool";
    private static final Pattern PROCESSED = Pattern.compile("(?m)^number of transactions actually processed: (\\d+)/(\\d+)$");
    private static final int CLIENTS = 4;
    private static final int TRANSACTIONS = 30;
    private static final TestCluster cluster = TestCluster.get();
    private static Path script;

    @BeforeAll
    static void prepare() throws Exception {
        Cli.require("pgbench");
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_pool_rows");
            s.execute("CREATE TABLE it_pool_rows AS SELECT g AS id, (g % 7)::real AS a, (g % 3)::real AS b, "
                    + "((g % 7) + 2 * (g % 3))::real AS y FROM generate_series(1, 100) g");
            s.execute("CREATE TABLE IF NOT EXISTS it_pool_train AS SELECT a, b, y FROM it_pool_rows");
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('" + PROJECT + "', 'regression', 'it_pool_train', 'y', 'linear')")) {
                assertTrue(rs.next());
            }
            s.execute("ALTER TABLE it_pool_rows ADD COLUMN p real");
        }
        script = Files.createTempFile("pgbench-pooled-", ".sql");
        Files.writeString(script, """
                \\set id random(1, 100)
                SELECT a, b FROM it_pool_rows WHERE id = :id;
                SELECT pgml.predict('%1$s', ARRAY[1, 2]::real[]);
                SELECT id FROM it_pool_rows WHERE y > pgml.predict('%1$s', ARRAY[3, 1]::real[]) ORDER BY id LIMIT 3;
                SELECT id, pgml.predict('%1$s', ARRAY[a, b]) FROM it_pool_rows WHERE id <= 20;
                UPDATE it_pool_rows SET p = pgml.predict('%1$s', ARRAY[a, b]) WHERE id = :id;
                SELECT count(*) FROM it_pool_rows WHERE pgml.predict('%1$s', ARRAY[a, b]) > 4;
                BEGIN;
                UPDATE it_pool_rows SET p = pgml.predict('%1$s', ARRAY[a, b]) WHERE id = :id;
                SELECT p FROM it_pool_rows WHERE id = :id;
                END;
                """.formatted(PROJECT));
        script.toFile().setReadable(true, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple", "extended"})
    void pgbouncerInFrontOfTheSidecar(String protocol) throws Exception {
        try (PgBouncerProcess pool = PgBouncerProcess.start(cluster.sidecarPort(), freePort(), 2, "transaction")) {
            assertCleanRun(pool.port(), protocol);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple", "extended"})
    void pgbouncerBehindTheSidecar(String protocol) throws Exception {
        // fewer pooled servers (2) than sidecar sessions (4): sessions wait for a server. This stalled until the worker
        // answered a Sync after a served statement itself (nothing outstanding upstream): relayed, that Sync waited for
        // a pooled server while pgbench already held the statement's results, and pgbench blocks its thread on that
        // client (PQgetResult) — with the thread's other client holding one of the servers, nothing moved.
        try (PgBouncerProcess pool = PgBouncerProcess.start(cluster.postgresPort(), freePort(), 2, "transaction")) {
            ProxyServer sidecar = TestCluster.startSidecarBehindPool(pool.port(), cluster.postgresPort());
            try {
                assertCleanRun(sidecar.port(), protocol);
            } finally {
                sidecar.close();
            }
        }
    }

    private static void assertCleanRun(int port, String protocol) throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("UPDATE it_pool_rows SET p = NULL");
        }
        List<String> cmd = new ArrayList<>(List.of(Cli.require("pgbench"), "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-U", "postgres", "-n", "-c", Integer.toString(CLIENTS), "-j", "2", "-t", Integer.toString(TRANSACTIONS),
                "--protocol", protocol, "-f", script.toString(), "postgres"));
        Cli.Result r = Cli.run(cmd, "it_pgbench_pooled_" + protocol, 180);
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("number of failed transactions: 0 (0.000%)"), r.all());
        Matcher processed = PROCESSED.matcher(r.stdout());
        assertTrue(processed.find(), r.all());
        assertEquals(CLIENTS * TRANSACTIONS, Integer.parseInt(processed.group(1)), r.all());
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE abs(p - y) > 0.01) FROM it_pool_rows WHERE p IS NOT NULL")) {
            rs.next();
            assertTrue(rs.getInt(1) > 0, "the UPDATEs with pgml.predict wrote predictions");
            assertEquals(0, rs.getInt(2), "every written prediction is the linear model's (y = a + 2b)");
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
