package io.pgmlsidecar.it.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.UpstreamActivity;
import io.pgmlsidecar.planner.SidecarVersion;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** psql, scripted, through the sidecar. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PsqlThroughSidecarTest {

    private static final TestCluster cluster = TestCluster.get();
    private static final int COPY_ROWS = 20_000;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        Cli.require("psql");
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_psql_copy, it_psql_tx");
            s.execute("CREATE TABLE it_psql_copy (id int PRIMARY KEY, name text, amount numeric(12,2), at timestamptz)");
            s.execute("CREATE TABLE it_psql_tx (id int PRIMARY KEY)");
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_psql_copy, it_psql_tx");
        }
    }

    private static List<String> psql(String... extra) {
        List<String> cmd = new ArrayList<>(List.of(Cli.require("psql"), "-X", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-p", Integer.toString(cluster.sidecarPort()), "-U", "postgres", "-d", "postgres"));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    private Cli.Result runScript(String appName, String script, String... extra) throws Exception {
        Path file = Files.createTempFile(tmp, appName, ".sql");
        Files.writeString(file, script);
        List<String> args = new ArrayList<>(List.of(extra));
        args.addAll(List.of("-f", file.toString()));
        return Cli.run(psql(args.toArray(String[]::new)), appName, 30);
    }

    @Test
    void copyInFromFileAndOutToFileGiveTheSameBytes() throws Exception {
        Path in = tmp.resolve("in.tsv");
        try (BufferedWriter w = Files.newBufferedWriter(in, StandardCharsets.UTF_8)) {
            for (int i = 1; i <= COPY_ROWS; i++) {
                String name = i % 500 == 0 ? "\\N" : i % 777 == 0 ? "tab\\tand\\\\backslash ünïcödé" : "row " + i;
                w.write(i + "\t" + name + "\t" + (i / 100) + "." + String.format("%02d", i % 100) + "\t"
                        + String.format("2024-01-01 00:00:%02d+00", i % 60) + "\n");
            }
        }
        Path out = tmp.resolve("out.tsv");
        Cli.Result r = runScript("it_psql_copy", """
                \\copy it_psql_copy FROM '%s'
                \\copy (SELECT * FROM it_psql_copy ORDER BY id) TO '%s'
                SELECT count(*), count(*) FILTER (WHERE name IS NULL), sum(amount) FROM it_psql_copy;
                """.formatted(in, out), "-At");
        assertEquals(0, r.exitCode(), r.all());
        String[] lines = r.stdout().split("\n");
        assertEquals("COPY " + COPY_ROWS, lines[0], r.all());
        assertEquals("COPY " + COPY_ROWS, lines[1], r.all());
        // sum of i/100 for i = 1..20000 = 20000 * 20001 / 200
        assertEquals(COPY_ROWS + "|" + (COPY_ROWS / 500) + "|2000100.00", lines[2], r.all());
        assertArrayEquals(Files.readAllBytes(in), Files.readAllBytes(out), "\\copy out differs from what went in");
    }

    @Test
    void prepareAndExecute() throws Exception {
        Cli.Result r = runScript("it_psql_prepare", """
                PREPARE it_q(int, text) AS SELECT $1 * 2, upper($2);
                EXECUTE it_q(21, 'abc');
                EXECUTE it_q(50, 'xyz');
                SELECT name, parameter_types::text FROM pg_prepared_statements;
                DEALLOCATE it_q;
                SELECT count(*) FROM pg_prepared_statements;
                """, "-At");
        assertEquals(0, r.exitCode(), r.all());
        assertEquals("PREPARE\n42|ABC\n100|XYZ\nit_q|{integer,text}\nDEALLOCATE\n0\n", r.stdout(), r.all());
    }

    @Test
    void beginRollbackAndErrorInsideTransaction() throws Exception {
        Cli.Result r = runScript("it_psql_tx", """
                BEGIN;
                INSERT INTO it_psql_tx SELECT generate_series(1, 100);
                SELECT count(*) FROM it_psql_tx;
                ROLLBACK;
                SELECT count(*) FROM it_psql_tx;
                BEGIN;
                INSERT INTO it_psql_tx VALUES (1), (2);
                COMMIT;
                \\set ON_ERROR_STOP 0
                BEGIN;
                INSERT INTO it_psql_tx VALUES (3);
                SELECT 1 / 0;
                SELECT 'unreachable';
                ROLLBACK;
                \\set ON_ERROR_STOP 1
                SELECT string_agg(id::text, ',' ORDER BY id) FROM it_psql_tx;
                """, "-At");
        assertEquals(0, r.exitCode(), r.all());
        assertEquals("BEGIN\nINSERT 0 100\n100\nROLLBACK\n0\nBEGIN\nINSERT 0 2\nCOMMIT\nBEGIN\nINSERT 0 1\nROLLBACK\n1,2\n",
                r.stdout(), r.all());
        assertTrue(r.stderr().contains("ERROR:  division by zero"), r.all());
        assertTrue(r.stderr().contains("ERROR:  current transaction is aborted, commands ignored until end of transaction block"),
                r.all());
    }

    @Test
    void onErrorStopGivesExitCode3() throws Exception {
        Cli.Result r = runScript("it_psql_stop", """
                SELECT 'first';
                SELECT * FROM it_psql_no_such_table;
                SELECT 'never';
                """, "-At");
        assertEquals(3, r.exitCode(), r.all());
        assertEquals("first\n", r.stdout(), r.all());
        assertTrue(r.stderr().contains("relation \"it_psql_no_such_table\" does not exist"), r.all());
    }

    @Test
    void listenNotifyBetweenTwoPsqlSessions() throws Exception {
        try (Cli.Running listener = Cli.start(psql(), "it_psql_listener")) {
            listener.write("LISTEN it_psql_ch;\n");
            waitForUpstream("it_psql_listener", "idle", "LISTEN it_psql_ch;");

            Cli.Result notify = Cli.run(psql("-c", "NOTIFY it_psql_ch, 'hello'"), "it_psql_notifier", 30);
            assertEquals(0, notify.exitCode(), notify.all());

            // psql reports notifications after its next command
            listener.write("SELECT pg_sleep(1);\n");
            listener.closeInput();
            Cli.Result r = listener.await(30, TimeUnit.SECONDS);
            assertEquals(0, r.exitCode(), r.all());
            Matcher m = Pattern.compile("Asynchronous notification \"it_psql_ch\" with payload \"hello\" received from server process with PID (\\d+)\\.")
                    .matcher(r.stdout());
            assertTrue(m.find(), r.all());
            assertNotEquals(0, Integer.parseInt(m.group(1)));
        }
    }

    @Test
    void sigintCancelsTheRunningQuery() throws Exception {
        try (Cli.Running p = Cli.start(psql("-c", "select pg_sleep(30)"), "it_psql_cancel")) {
            p.closeInput();
            waitForUpstream("it_psql_cancel", "active", "select pg_sleep(30)");
            long start = System.nanoTime();
            p.signal("INT"); // psql sends a CancelRequest, to the sidecar, with the key the sidecar issued
            Cli.Result r = p.await(10, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(r.stderr().contains("canceling statement due to user request"), r.all());
            assertEquals(1, r.exitCode(), r.all());
            assertTrue(took.toSeconds() < 5, "cancel took " + took);
        }
        // the upstream backend is no longer running the sleep
        waitForNoActive("it_psql_cancel");
    }

    @Test
    void pgmlVersion() throws Exception {
        Cli.Result r = Cli.run(psql("-At", "-c", "SELECT pgml.version()"), "it_psql_pgml", 30);
        assertEquals(0, r.exitCode(), r.all());
        assertEquals(SidecarVersion.get() + "\n", r.stdout(), r.all());

        Cli.Result aligned = Cli.run(psql("-c", "SELECT pgml.version()"), "it_psql_pgml", 30);
        assertEquals(0, aligned.exitCode(), aligned.all());
        assertTrue(aligned.stdout().contains(" version"), aligned.all());
        assertTrue(aligned.stdout().contains(" " + SidecarVersion.get()), aligned.all());
        assertTrue(aligned.stdout().contains("(1 row)"), aligned.all());
    }

    @Test
    void describeCommandsUseCatalogQueries() throws Exception {
        Cli.Result r = Cli.run(psql("-c", "\\d it_psql_copy"), "it_psql_describe", 30);
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("Table \"public.it_psql_copy\""), r.all());
        assertTrue(r.stdout().contains("amount | numeric(12,2)"), r.all());
        assertTrue(r.stdout().contains("\"it_psql_copy_pkey\" PRIMARY KEY, btree (id)"), r.all());
    }

    /** Waits, on a direct connection, until the psql session with this application name is in {@code state} with {@code query}. */
    private static void waitForUpstream(String appName, String state, String query) throws Exception {
        UpstreamActivity.await(15, "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND state = ? AND query = ?",
                appName + " never reached state " + state + " with " + query, appName, state, query);
    }

    private static void waitForNoActive(String appName) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try (Connection d = cluster.connectDirect(null);
             PreparedStatement ps = d.prepareStatement(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND state = 'active'")) {
            ps.setString(1, appName);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError(appName + " is still running upstream after the cancel");
    }
}
