package io.pgmlsidecar.it.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.planner.PgmlInterceptor;
import io.pgmlsidecar.planner.SidecarServices;
import io.pgmlsidecar.planner.bulk.BulkEngines;
import io.pgmlsidecar.planner.functions.RuntimeEmbeddingModels;
import io.pgmlsidecar.planner.tabular.engine.TrainingEngines;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.ProxyServer;
import io.pgmlsidecar.spark.engine.SparkBulkEngine;
import io.pgmlsidecar.spark.engine.SparkSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bulk embedding on a two-worker standalone cluster loses one worker (and its executor) while both are writing
 * their ranges: Spark runs the lost range again on the surviving executor, the range's transaction of the killed
 * task is gone with its connection, the rerun replaces the range whole (advisory lock, delete, COPY), and the
 * client's UPDATE applies exactly one vector per row, equal to the sidecar's own. Both workers lost mid-job: Spark would
 * wait for executors forever; after {@code executor-wait-seconds} the client gets 53000 and the UPDATE is rolled back
 * whole (decision 37r).
 */
class SparkWorkerLossTest {

    private static final TestCluster CLUSTER = TestCluster.get();
    private static final String MODEL = SparkBulkFixtures.MODEL;
    private static final int ROWS = 6_000;

    @Test
    void aWorkerKilledMidJobIsReplacedAndEveryRowGetsTheSidecarsEmbedding() throws Exception {
        String classpath = SparkBulkFixtures.jobClasspath();
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            SparkBulkFixtures.createDocuments(s, "spark_worker_loss", ROWS, false);
        }
        try (StandaloneCluster spark = StandaloneCluster.start(classpath, 2, "2g")) {
            ProxyServer sidecar = sidecarOn(spark, classpath);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                CompletableFuture<Integer> update = embedAsync(s, "spark_worker_loss");
                awaitBothRangesWriting(update);
                // at once: both ranges' transactions are open, so the killed one cannot have committed
                spark.killWorker(0);
                assertTrue(!update.isDone(), "the worker was killed mid-job");
                assertEquals(ROWS, update.get(10, TimeUnit.MINUTES), "every row updated once");
                List<String> notices = SparkBulkFixtures.warnings(s);
                assertTrue(notices.stream().anyMatch(n -> n.startsWith("Spark embedded " + ROWS + " rows")), notices.toString());
            } finally {
                sidecar.close();
            }
        }
        double worst = SparkBulkFixtures.assertEmbeddingsEqualTheSidecars(CLUSTER, "spark_worker_loss", ROWS);
        System.out.printf("worker lost mid-job: largest difference, Spark vs sidecar: %.3g%n", worst);
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
    }

    @Test
    void bothWorkersKilledMidJobIsA53000AfterTheWaitAndTheTableIsAsItWas() throws Exception {
        String classpath = SparkBulkFixtures.jobClasspath();
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            SparkBulkFixtures.createDocuments(s, "spark_workers_lost", ROWS, false);
        }
        try (StandaloneCluster spark = StandaloneCluster.start(classpath, 2, "2g")) {
            ProxyServer sidecar = sidecarOn(spark, classpath);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                CompletableFuture<Integer> update = embedAsync(s, "spark_workers_lost");
                awaitBothRangesWriting(update);
                spark.killWorker(0);
                spark.killWorker(1);
                long killed = System.nanoTime();
                Throwable failure = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> update.get(5, TimeUnit.MINUTES)).getCause();
                double seconds = (System.nanoTime() - killed) / 1e9;
                assertTrue(failure instanceof org.postgresql.util.PSQLException, String.valueOf(failure));
                org.postgresql.util.PSQLException e = (org.postgresql.util.PSQLException) failure;
                assertEquals("53000", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("no Spark executor ran this job for 15 s"), e.getMessage());
                assertTrue(seconds >= 15, "after the wait: " + seconds + " s");
                try (ResultSet rs = s.executeQuery("SELECT count(e), count(*) FROM spark_workers_lost")) {
                    assertTrue(rs.next(), "the session stays usable");
                    assertEquals(0, rs.getInt(1), "rolled back whole: no row has a vector");
                    assertEquals(ROWS, rs.getInt(2));
                }
            } finally {
                sidecar.close();
            }
        }
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
    }

    /** A sidecar in this JVM whose bulk engine runs on {@code spark}'s workers, waiting 15 s at most for an executor. */
    private static ProxyServer sidecarOn(StandaloneCluster spark, String classpath) throws Exception {
        Map<String, String> settings = Map.of("pgml.spark.master", spark.masterUrl, "pgml.spark.job-classpath", classpath,
                "pgml.spark.jdbc-url", "jdbc:postgresql://127.0.0.1:" + CLUSTER.postgresPort() + "/",
                "pgml.spark.admin-user", "postgres", "pgml.spark.partitions", "2", "pgml.spark.executor-wait-seconds", "15",
                "pgml.spark.java-options", "-Dspark.executor.extraClassPath=" + SparkBulkFixtures.JOB_CLASSES
                        + " -Dspark.executor.memory=1g -Dspark.cores.max=2 -Dspark.driver.host=127.0.0.1");
        SparkBulkEngine engine = new SparkBulkEngine(SparkSettings.from(settings::get).orElseThrow());
        return new ProxyServer(ProxyConfig.of("127.0.0.1", 0, "127.0.0.1", CLUSTER.postgresPort()).withEventLoopThreads(2),
                new PgmlInterceptor(SidecarServices.builder().embeddings(new RuntimeEmbeddingModels(CLUSTER.embeddings()))
                        .trainingEngines(TrainingEngines.NONE).bulkEngines(BulkEngines.of(engine)).build())).start();
    }

    private static CompletableFuture<Integer> embedAsync(Statement s, String table) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return s.executeUpdate("UPDATE " + table + " SET e = pgml.embed('" + MODEL + "', body, '{\"engine\": \"spark\"}')");
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        });
    }

    /** Both executors' range transactions are in their COPY (the job's login roles, seen in pg_stat_activity). */
    private static void awaitBothRangesWriting(CompletableFuture<Integer> update) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (true) {
            try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename LIKE 'pgml\\_spark\\_%' "
                         + "AND query LIKE 'COPY %' AND state = 'active'")) {
                rs.next();
                if (rs.getInt(1) >= 2) {
                    return;
                }
            }
            assertTrue(!update.isDone(), "the update is still running: " + (update.isDone() ? update.handle((v, t) -> v + " " + t).join() : ""));
            assertTrue(System.nanoTime() < deadline, "both ranges started writing");
            Thread.sleep(100);
        }
    }
}
