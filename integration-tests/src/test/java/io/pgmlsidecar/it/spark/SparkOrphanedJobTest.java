package io.pgmlsidecar.it.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.SidecarProcess;
import io.pgmlsidecar.it.support.TestCluster;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sidecar killed (SIGKILL) in the middle of a bulk embedding on Spark (decision 37r): its driver stops once its stdin
 * closes, the job's login role and staging table are left behind, and the next sidecar with a Spark master finds the
 * role unleased and drops both; a sweeping sidecar leaves a live job's role alone. The packaged sidecar, as an operator
 * runs it.
 */
class SparkOrphanedJobTest {

    private static final TestCluster CLUSTER = TestCluster.get();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void whatASidecarKilledMidJobLeftIsDroppedByTheNextOneAndALiveJobIsNot() throws Exception {
        Path classpath = dir.resolve("job-classpath.txt");
        Files.writeString(classpath, SparkBulkFixtures.jobClasspath());
        Map<String, String> env = Map.of("PGML_SIDECAR_SPARK_MASTER", "local[2]", "PGML_SIDECAR_SPARK_JOB_CLASSPATH", "@" + classpath,
                "PGML_SIDECAR_SPARK_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + CLUSTER.postgresPort() + "/",
                "PGML_SIDECAR_SPARK_ADMIN_USER", "postgres", "PGML_SIDECAR_SPARK_SWEEP_INTERVAL_SECONDS", "1");
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            SparkBulkFixtures.createDocuments(s, "spark_orphan_docs", 6_000, false);
            s.execute("DROP TABLE IF EXISTS spark_orphan_small");
            s.execute("CREATE TABLE spark_orphan_small AS SELECT id, body, e FROM spark_orphan_docs WHERE id <= 200");
        }
        SparkBulkFixtures.assertNothingLeft(CLUSTER);

        long driver;
        try (SidecarProcess first = SidecarProcess.start(CLUSTER.postgresPort(), List.of(), env)) {
            Connection c = DriverManager.getConnection(first.jdbcUrl(), "postgres", "");
            CompletableFuture<Integer> update = CompletableFuture.supplyAsync(() -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("UPDATE spark_orphan_docs SET e = pgml.embed('" + SparkBulkFixtures.MODEL
                            + "', body, '{\"engine\": \"spark\"}')");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            // mid-job: the executors' range transactions are writing into the staging table
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (copying() < 2) {
                assertTrue(System.nanoTime() < deadline && !update.isDone(), "the job's two ranges are being written: "
                        + (update.isDone() ? update.handle((v, t) -> v + " " + t).join() : "timed out"));
                Thread.sleep(200);
            }
            List<ProcessHandle> drivers = ProcessHandle.of(first.pid()).orElseThrow().descendants()
                    .filter(p -> commandLine(p).contains("io.pgmlsidecar.spark.job.BulkJob")).toList();
            assertEquals(1, drivers.size(), "one driver runs");
            driver = drivers.get(0).pid();
            ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // SIGKILL: no cleanup of its own
            first.awaitExit(Duration.ofSeconds(30));
            assertTrue(assertThrowsCompletion(update) instanceof SQLException, "the client's connection is gone");
        }
        // the driver notices its stdin close and stops, with its local executors
        ProcessHandle orphan = ProcessHandle.of(driver).orElse(null);
        if (orphan != null) {
            assertTrue(orphan.onExit().completeOnTimeout(null, 60, TimeUnit.SECONDS).join() != null && !orphan.isAlive(),
                    "the orphaned driver stopped");
        }
        assertEquals(1, jobRoles(), "the dead sidecar's job role is left behind");
        assertEquals(1, SparkBulkFixtures.stagingTables(CLUSTER), "and its staging table");

        try (SidecarProcess next = SidecarProcess.start(CLUSTER.postgresPort(), List.of(), env);
             Connection c = DriverManager.getConnection(next.jdbcUrl(), "postgres", "");
             Statement s = c.createStatement()) {
            String line = next.awaitLine(l -> l.contains("of a Spark job whose sidecar is gone"), Duration.ofSeconds(60));
            assertTrue(line.contains("dropped the login role pgml_spark_") && line.contains("pgml_embed_"), line);
            SparkBulkFixtures.assertNothingLeft(CLUSTER);
            // this sidecar sweeps every second: its own running job is leased, so the sweeps leave it alone
            assertEquals(200, s.executeUpdate("UPDATE spark_orphan_small SET e = pgml.embed('" + SparkBulkFixtures.MODEL
                    + "', body, '{\"engine\": \"spark\"}')"));
            assertTrue(SparkBulkFixtures.warnings(s).stream().anyMatch(n -> n.startsWith("Spark embedded 200 rows")));
            assertEquals(1, next.output().lines().filter(l -> l.contains("of a Spark job whose sidecar is gone")).count(),
                    "only the dead sidecar's job was swept: " + next.output());
        }
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(e), count(*) FROM spark_orphan_docs")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the killed UPDATE wrote nothing");
            assertEquals(6_000, rs.getInt(2));
        }
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
    }

    /** Sessions of a job role in COPY (the executors' range writes). */
    private static int copying() throws SQLException {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename LIKE 'pgml\\_spark\\_%' AND query LIKE 'COPY %'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int jobRoles() throws SQLException {
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgml\\_spark\\_%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Throwable assertThrowsCompletion(CompletableFuture<Integer> update) {
        try {
            update.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause() instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the killed sidecar's client got no answer", e);
        }
        throw new AssertionError("the update succeeded although its sidecar was killed");
    }

    /** The process's arguments as Linux keeps them (ProcessHandle.Info leaves out a command line this long). */
    private static String commandLine(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ');
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
