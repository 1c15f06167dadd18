package io.pgmlsidecar.it.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import io.pgmlsidecar.spark.engine.SparkTrainingEngine;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.util.PSQLException;

/**
 * A standalone cluster whose one worker offers 512 MB while the jobs ask for 1 GB executors: Spark waits for an executor
 * without a limit; the job's watchdog ends an embedding and a training after {@code executor-wait-seconds} with 53000,
 * the table as it was and nothing left (decision 37r).
 */
class SparkExecutorWaitTest {

    private static final TestCluster CLUSTER = TestCluster.get();

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void jobsWithoutAnyExecutorFailWith53000AfterTheWait() throws Exception {
        String classpath = SparkBulkFixtures.jobClasspath();
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            SparkBulkFixtures.createDocuments(s, "spark_no_executor", 200, false);
            s.execute("DROP TABLE IF EXISTS spark_no_executor_train");
            s.execute("CREATE TABLE spark_no_executor_train AS SELECT i::float8 AS x, (i % 2 = 0) AS y FROM generate_series(1, 200) i");
        }
        try (StandaloneCluster spark = StandaloneCluster.start(classpath, 1, "512m")) {
            Map<String, String> settings = Map.of("pgml.spark.master", spark.masterUrl, "pgml.spark.job-classpath", classpath,
                    "pgml.spark.jdbc-url", "jdbc:postgresql://127.0.0.1:" + CLUSTER.postgresPort() + "/",
                    "pgml.spark.admin-user", "postgres", "pgml.spark.partitions", "1", "pgml.spark.executor-wait-seconds", "15",
                    "pgml.spark.java-options", "-Dspark.executor.extraClassPath=" + SparkBulkFixtures.JOB_CLASSES
                            + " -Dspark.executor.memory=1g -Dspark.driver.host=127.0.0.1");
            SparkSettings spark15 = SparkSettings.from(settings::get).orElseThrow();
            ProxyServer sidecar = new ProxyServer(ProxyConfig.of("127.0.0.1", 0, "127.0.0.1", CLUSTER.postgresPort()).withEventLoopThreads(2),
                    new PgmlInterceptor(SidecarServices.builder().embeddings(new RuntimeEmbeddingModels(CLUSTER.embeddings()))
                            .trainingEngines(TrainingEngines.of(new SparkTrainingEngine(spark15)))
                            .bulkEngines(BulkEngines.of(new SparkBulkEngine(spark15))).build())).start();
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                long t0 = System.nanoTime();
                PSQLException e = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_no_executor SET e = pgml.embed('"
                        + SparkBulkFixtures.MODEL + "', body, '{\"engine\": \"spark\"}')"));
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertEquals("53000", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("no Spark executor ran this job for 15 s"), e.getMessage());
                assertTrue(e.getServerErrorMessage().getHint().contains("spark.executor.memory"), e.getServerErrorMessage().getHint());
                assertTrue(seconds >= 15 && seconds < 120, "ended by the wait, not by a timeout elsewhere: " + seconds + " s");
                try (ResultSet rs = s.executeQuery("SELECT count(e) FROM spark_no_executor")) {
                    assertTrue(rs.next(), "the session stays usable");
                    assertEquals(0, rs.getInt(1), "the table is as it was");
                }
                SparkBulkFixtures.assertNothingLeft(CLUSTER);

                e = assertThrows(PSQLException.class, () -> s.executeQuery("SELECT * FROM pgml.train('it_spark_no_executor', "
                        + "'classification', 'spark_no_executor_train', 'y', 'xgboost', '{\"n_estimators\": 2, \"engine\": \"spark\"}')"));
                assertEquals("53000", e.getSQLState(), e.getMessage());
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.projects WHERE name = 'it_spark_no_executor'")) {
                    rs.next();
                    assertEquals(0, rs.getInt(1), "no project or model was stored");
                }
            } finally {
                sidecar.close();
            }
        }
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
    }
}
