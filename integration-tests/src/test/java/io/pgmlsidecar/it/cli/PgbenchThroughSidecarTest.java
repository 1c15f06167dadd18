package io.pgmlsidecar.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** pgbench through the sidecar, in its own database, with every query protocol it has. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PgbenchThroughSidecarTest {

    private static final String DB = "bench_it";
    private static final Pattern TPS = Pattern.compile("(?m)^tps = ([0-9.]+) \\(without initial connection time\\)$");
    private static final Pattern PROCESSED = Pattern.compile("(?m)^number of transactions actually processed: (\\d+)$");
    private static final TestCluster cluster = TestCluster.get();

    @BeforeAll
    static void initialize() throws Exception {
        Cli.require("pgbench");
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DB);
        }
        Cli.Result init = Cli.run(pgbench("-i", "-s", "1"), "it_pgbench_init", 90);
        assertEquals(0, init.exitCode(), init.all());
        assertTrue(init.stderr().contains("done in"), init.all());
        try (Connection c = directTo(DB); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM pgbench_accounts), (SELECT count(*) FROM pgbench_branches), "
                     + "(SELECT count(*) FROM pgbench_tellers)")) {
            assertTrue(rs.next());
            assertEquals(100_000, rs.getInt(1));
            assertEquals(1, rs.getInt(2));
            assertEquals(10, rs.getInt(3));
        }
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
        }
    }

    private static Connection directTo(String db) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cluster.postgresPort() + "/" + db, "postgres", "");
    }

    private static List<String> pgbench(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Cli.require("pgbench"), "-h", "127.0.0.1",
                "-p", Integer.toString(cluster.sidecarPort()), "-U", "postgres"));
        cmd.addAll(List.of(args));
        cmd.add(DB);
        return cmd;
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple", "extended", "prepared"})
    void tpcbLikeRun(String protocol) throws Exception {
        Cli.Result r = Cli.run(pgbench("-T", "3", "-c", "4", "-j", "2", "--protocol", protocol), "it_pgbench_" + protocol, 60);
        long processed = assertCleanRun(r, protocol);
        // pgbench truncated pgbench_history before the run; every transaction then inserted one row, through the sidecar
        assertEquals(processed, historyRows(), r.all());
    }

    @Test
    void selectOnlyRun() throws Exception {
        Cli.Result r = Cli.run(pgbench("-S", "-T", "3", "-c", "4", "-j", "2", "--protocol", "prepared"), "it_pgbench_select", 60);
        assertTrue(r.stdout().contains("transaction type: <builtin: select only>"), r.all());
        assertCleanRun(r, "prepared");
    }

    private static long assertCleanRun(Cli.Result r, String protocol) {
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("query mode: " + protocol), r.all());
        assertTrue(r.stdout().contains("number of failed transactions: 0 (0.000%)"), r.all());
        Matcher tps = TPS.matcher(r.stdout());
        assertTrue(tps.find(), r.all());
        assertTrue(Double.parseDouble(tps.group(1)) > 0, r.all());
        Matcher processed = PROCESSED.matcher(r.stdout());
        assertTrue(processed.find(), r.all());
        long n = Long.parseLong(processed.group(1));
        assertTrue(n > 0, r.all());
        return n;
    }

    private static long historyRows() throws Exception {
        try (Connection c = directTo(DB); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pgbench_history")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
