package io.pgmlsidecar.it.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.planner.PgmlInterceptor;
import io.pgmlsidecar.planner.SidecarServices;
import io.pgmlsidecar.planner.tabular.engine.TrainingEngines;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.ProxyServer;
import io.pgmlsidecar.spark.engine.SparkSettings;
import io.pgmlsidecar.spark.engine.SparkTrainingEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Spark engine against a two-worker standalone cluster on loopback: executors in the workers' JVMs read and train. */
class SparkStandaloneClusterTest {

    private static final TestCluster CLUSTER = TestCluster.get();

    @Test
    void digitsTrainOnTwoWorkersAsWellAsLocally() throws Exception {
        Path job = Path.of("..", "spark-job", "target").toAbsolutePath().normalize();
        String classpath = job.resolve("classes") + java.io.File.pathSeparator + Files.readString(job.resolve("job-classpath.txt")).trim();
        try (StandaloneCluster spark = StandaloneCluster.start(classpath, 2)) {
            Map<String, String> settings = Map.of("pgml.spark.master", spark.masterUrl, "pgml.spark.job-classpath", classpath,
                    "pgml.spark.jdbc-url", "jdbc:postgresql://127.0.0.1:" + CLUSTER.postgresPort() + "/", "pgml.spark.partitions", "2",
                    // the executors load the job's classes from the same build (same machine)
                    "pgml.spark.java-options", "-Dspark.executor.extraClassPath=" + job.resolve("classes")
                            + " -Dspark.executor.memory=512m -Dspark.cores.max=2 -Dspark.driver.host=127.0.0.1");
            ProxyServer sidecar = new ProxyServer(ProxyConfig.of("127.0.0.1", 0, "127.0.0.1", CLUSTER.postgresPort()).withEventLoopThreads(2),
                    new PgmlInterceptor(SidecarServices.builder().trainingEngines(TrainingEngines.of(
                            new SparkTrainingEngine(SparkSettings.from(settings::get).orElseThrow()))).build())).start();
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                s.executeQuery("SELECT * FROM pgml.load_dataset('digits')").close();
                s.executeQuery("SELECT * FROM pgml.train('it_standalone_local', 'classification', 'pgml.digits', 'target', 'xgboost', "
                        + "'{\"n_estimators\": 20}')").close();
                s.executeQuery("SELECT * FROM pgml.train('it_standalone_spark', 'classification', 'pgml.digits', 'target', 'xgboost', "
                        + "'{\"n_estimators\": 20, \"engine\": \"spark\"}')").close();
                boolean onCluster = false;
                for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                    onCluster |= w.getMessage().contains("at " + spark.masterUrl);
                }
                assertTrue(onCluster, "the job ran on the standalone master");
                double local = accuracy(s, "it_standalone_local");
                double onSpark = accuracy(s, "it_standalone_spark");
                System.out.printf("digits xgboost accuracy: local %.4f, standalone 2 workers %.4f%n", local, onSpark);
                assertTrue(Math.abs(local - onSpark) <= 0.02, "standalone " + onSpark + " vs local " + local);
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pgml\\_spark\\_%'")) {
                    assertTrue(rs.next());
                    assertEquals(0, rs.getInt(1));
                }
            } finally {
                sidecar.close();
            }
        }
    }

    private static double accuracy(Statement s, String project) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT (m.metrics->>'accuracy')::float8 FROM pgml.models m JOIN pgml.projects p "
                + "ON p.id = m.project_id WHERE p.name = '" + project + "' ORDER BY m.id DESC LIMIT 1")) {
            assertTrue(rs.next());
            return rs.getDouble(1);
        }
    }
}
