package io.pgmlsidecar.it.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.proxy.ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * {@code UPDATE t SET e = pgml.embed(…)} embedded on a real Spark (local[2], spark-job's BulkJob in a child JVM on a
 * JDK 17) with the sidecar's model files, written into a staging table and applied in the client's transaction.
 */
class SparkEmbedTest {

    private static final TestCluster CLUSTER = TestCluster.get();
    private static final String MODEL = SparkBulkFixtures.MODEL;
    private static final int ROWS = 10_000;
    private static ProxyServer sidecar;

    @BeforeAll
    static void startSidecarWithSpark() throws Exception {
        sidecar = SparkBulkFixtures.localSparkSidecar(CLUSTER);
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS spark_embed_small, spark_embed_kill");
            s.execute("DROP ROLE IF EXISTS spark_embed_nobody");
            s.execute("DROP ROLE IF EXISTS spark_embed_writer");
            SparkBulkFixtures.createDocuments(s, "spark_embed_docs", ROWS, true);
            s.execute("CREATE TABLE spark_embed_small AS SELECT id, body, e FROM spark_embed_docs WHERE id <= 300");
            s.execute("CREATE TABLE spark_embed_kill AS SELECT id, body, e FROM spark_embed_docs");
            s.execute("ANALYZE spark_embed_small");
            s.execute("ANALYZE spark_embed_kill");
            s.execute("CREATE ROLE spark_embed_nobody LOGIN");
            s.execute("CREATE ROLE spark_embed_writer LOGIN");
            s.execute("GRANT CREATE ON SCHEMA public TO spark_embed_writer");
            // may update e and read id, but not body: the job's read meets PostgreSQL's own check
            s.execute("GRANT SELECT (id, e), UPDATE (e) ON spark_embed_small TO spark_embed_writer");
        }
    }

    @AfterAll
    static void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    private static Connection session(String user) throws SQLException {
        return SparkBulkFixtures.session(sidecar, user);
    }

    @Test
    void tenThousandRowsEmbeddedOnSparkEqualTheSidecarsEmbeddings() throws Exception {
        List<String> notices = new ArrayList<>();
        long t0 = System.nanoTime();
        try (Connection c = session("postgres"); Statement s = c.createStatement()) {
            // no engine named: 10,000 rows reach this sidecar's pgml.spark.auto-above-rows (5000)
            assertEquals(ROWS, s.executeUpdate("UPDATE spark_embed_docs SET e = pgml.embed('" + MODEL + "', body)"));
            notices.addAll(SparkBulkFixtures.warnings(s));
        }
        System.out.printf("spark local[2] embedded %d rows in %.1f s%n", ROWS, (System.nanoTime() - t0) / 1e9);
        assertTrue(notices.stream().anyMatch(n -> n.startsWith("Embedding on spark: spark_embed_docs has about 10000 rows")), notices.toString());
        assertTrue(notices.stream().anyMatch(n -> n.startsWith("Spark embedded 10000 rows")), notices.toString());
        double worst = SparkBulkFixtures.assertEmbeddingsEqualTheSidecars(CLUSTER, "spark_embed_docs", ROWS);
        System.out.printf("largest difference, Spark vs sidecar: %.3g%n", worst);
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
    }

    @Test
    void insideARolledBackTransactionTheUpdateIsUndoneAndLocalStaysLocal() throws Exception {
        try (Connection c = session("postgres"); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            assertEquals(100, s.executeUpdate("UPDATE spark_embed_small SET e = pgml.embed('" + MODEL + "', body, '{\"engine\": \"spark\"}') "
                    + "WHERE id > 200"));
            assertTrue(SparkBulkFixtures.warnings(s).stream().anyMatch(n -> n.startsWith("Spark embedded 100 rows")), SparkBulkFixtures.warnings(s).toString());
            try (ResultSet rs = s.executeQuery("SELECT count(e) FROM spark_embed_small")) {
                rs.next();
                assertEquals(100, rs.getInt(1), "the update is visible in its own transaction");
            }
            c.rollback();
            try (ResultSet rs = s.executeQuery("SELECT count(e) FROM spark_embed_small")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "rolled back with the transaction");
            }
            c.commit();
            // "local" keeps it in the sidecar, and the model never sees "engine"
            c.setAutoCommit(true);
            assertEquals(10, s.executeUpdate("UPDATE spark_embed_small SET e = pgml.embed('" + MODEL + "', body, '{\"engine\": \"local\"}') "
                    + "WHERE id <= 10"));
            assertTrue(SparkBulkFixtures.warnings(s).stream().noneMatch(n -> n.contains("Spark")), SparkBulkFixtures.warnings(s).toString());
            s.execute("UPDATE spark_embed_small SET e = NULL");
            // what the Spark path cannot do is a clear error when asked for
            PSQLException e = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_embed_small SET e = pgml.embed('"
                    + MODEL + "', body, '{\"engine\": \"spark\"}') RETURNING id"));
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("RETURNING"), e.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next(), "the session stays usable");
            }
        }
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
    }

    @Test
    void rowsThatChangedSinceTheJobReadThemAreAnErrorAndNothingIsUpdated() throws Exception {
        try (Connection c = session("postgres"); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            // this transaction's change is invisible to the job: it embeds the committed text, at the old ctid
            s.executeUpdate("UPDATE spark_embed_small SET body = 'changed in this transaction' WHERE id = 5");
            PSQLException e = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_embed_small SET e = pgml.embed('"
                    + MODEL + "', body, '{\"engine\": \"spark\"}')"));
            assertEquals("40001", e.getSQLState());
            assertTrue(e.getMessage().contains("300 embedded, 300 to update now, 299 of them unchanged"), e.getMessage());
            assertTrue(e.getServerErrorMessage().getHint().contains("commit this transaction's changes"), e.getServerErrorMessage().getHint());
            c.rollback();
            try (ResultSet rs = s.executeQuery("SELECT count(e), count(*) FILTER (WHERE body LIKE 'changed%') FROM spark_embed_small")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "nothing updated");
                assertEquals(0, rs.getInt(2));
            }
            c.commit();
        }
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
    }

    @Test
    void aRoleGetsPostgresOwnPermissionErrors() throws Exception {
        try (Connection c = session("spark_embed_nobody"); Statement s = c.createStatement()) {
            PSQLException e = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_embed_small SET e = pgml.embed('"
                    + MODEL + "', body, '{\"engine\": \"spark\"}')"));
            assertEquals("42501", e.getSQLState());
            assertTrue(e.getMessage().contains("permission denied for table spark_embed_small"), e.getMessage());
        }
        try (Connection c = session("spark_embed_writer"); Statement s = c.createStatement()) {
            // may update e, may not read body: the job, reading as this role, gets PostgreSQL's error
            PSQLException e = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_embed_small SET e = pgml.embed('"
                    + MODEL + "', body, '{\"engine\": \"spark\"}')"));
            assertEquals("42501", e.getSQLState());
            assertTrue(e.getMessage().contains("permission denied for table spark_embed_small"), e.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT count(e) FROM spark_embed_small")) {
                rs.next();
                assertEquals(0, rs.getInt(1));
            }
        }
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
    }

    @Test
    void aDriverKilledMidJobIsAnErrorAndLeavesTheTableAsItWas() throws Exception {
        try (Connection c = session("postgres"); Statement s = c.createStatement()) {
            CompletableFuture<Integer> update = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.executeUpdate("UPDATE spark_embed_kill SET e = pgml.embed('" + MODEL + "', body, '{\"engine\": \"spark\"}')");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            // the executors are writing once the staging table exists
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (SparkBulkFixtures.stagingTables(CLUSTER) == 0) {
                assertTrue(System.nanoTime() < deadline, "the job made its staging table");
                assertTrue(!update.isDone(), "the update is still running: " + (update.isDone() ? update.handle((v, t) -> v + " " + t).join() : ""));
                Thread.sleep(200);
            }
            Thread.sleep(3_000);
            List<ProcessHandle> drivers = ProcessHandle.current().descendants()
                    .filter(p -> commandLine(p).contains("io.pgmlsidecar.spark.job.BulkJob")).toList();
            assertEquals(1, drivers.size(), "one driver runs");
            assertTrue(!update.isDone(), "killed mid-job");
            drivers.get(0).destroyForcibly();
            Throwable failure = assertThrows(java.util.concurrent.CompletionException.class, update::join).getCause();
            assertTrue(failure instanceof PSQLException, failure.toString());
            PSQLException e = (PSQLException) failure;
            assertEquals("XX000", e.getSQLState());
            assertTrue(e.getMessage().contains("the Spark driver ended unexpectedly"), e.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT count(e), count(*) FROM spark_embed_kill")) {
                assertTrue(rs.next(), "the session stays usable");
                assertEquals(0, rs.getInt(1), "the table is unchanged");
                assertEquals(ROWS, rs.getInt(2));
            }
        }
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
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
