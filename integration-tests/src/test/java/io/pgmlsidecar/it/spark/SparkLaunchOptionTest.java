package io.pgmlsidecar.it.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.ExternalProcess;
import io.pgmlsidecar.it.support.SidecarProcess;
import io.pgmlsidecar.it.support.TestCluster;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/**
 * The packaged sidecar's Spark settings (decision 34l): from its configuration file and environment like every other
 * setting, the driver launched through SparkSubmit from a Spark home whose spark-defaults.conf is honoured, and
 * {@code --spark-conf} reaching the job's SparkSession over those defaults; a {@code k8s://} master whose API server
 * cannot be reached is 08001 with what a cluster needs, and no master is 55000 naming the option (a {@code -Dpgml.spark.*}
 * system property is ignored with a warning).
 */
class SparkLaunchOptionTest {

    private static final TestCluster CLUSTER = TestCluster.get();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void settingsFromTheFileAndTheEnvironmentTrainThroughSparkSubmitWithItsDefaults() throws Exception {
        Path job = Path.of("..", "spark-job", "target").toAbsolutePath().normalize();
        String sparkJars = Files.readString(job.resolve("job-classpath.txt")).trim();
        Path home = SparkHomeOfLinks.create(Files.createDirectories(dir.resolve("spark")), sparkJars);
        // what an operator's distribution has: defaults for every submit
        Files.writeString(home.resolve("conf").resolve("spark-defaults.conf"),
                "spark.executor.memory   777m\nspark.app.name          from-spark-defaults\n");
        Path classpath = dir.resolve("job-classpath.txt");
        Files.writeString(classpath, job.resolve("classes") + java.io.File.pathSeparator + sparkJars);
        Path config = dir.resolve("sidecar.yaml");
        Files.writeString(config, """
                spark-master: local[2]
                spark-job-classpath: "@%s"
                spark-jdbc-url: jdbc:postgresql://127.0.0.1:%d/
                spark-partitions: 2
                spark-conf:
                  spark.app.name: pgml-from-sidecar-config
                """.formatted(classpath, CLUSTER.postgresPort()));
        Map<String, String> env = Map.of("PGML_SIDECAR_SPARK_HOME", home.toString(), "PGML_SIDECAR_SPARK_ADMIN_USER", "postgres",
                "PGML_SIDECAR_SPARK_ADMIN_PASSWORD", "not-printed-anywhere");

        ExternalProcess.Result printed = ExternalProcess.run(List.of(java(), "-jar", SidecarProcess.JAR.toString(), "--config",
                config.toString(), "--print-config"), env, dir, Duration.ofSeconds(60));
        assertEquals(0, printed.exitCode(), printed.toString());
        assertTrue(printed.stdout().contains("spark-master: 'local[2]'  # file, env PGML_SIDECAR_SPARK_MASTER"), printed.stdout());
        assertTrue(printed.stdout().contains("spark-home: " + home + "  # env"), printed.stdout());
        assertTrue(printed.stdout().contains("spark-admin-password: '********'  # env"), printed.stdout());
        assertTrue(printed.stdout().contains("spark-conf:  # file, env PGML_SIDECAR_SPARK_CONF\n  spark.app.name: pgml-from-sidecar-config"),
                printed.stdout());
        assertFalse(printed.stdout().contains("not-printed-anywhere"), printed.stdout());

        try (Connection direct = CLUSTER.connectDirect(null);
             Statement d = direct.createStatement()) {
            d.execute("DROP TABLE IF EXISTS spark_launch_digits");
        }
        try (SidecarProcess sidecar = SidecarProcess.start(CLUSTER.postgresPort(), List.of("--config", config.toString()), env);
             Connection c = DriverManager.getConnection(sidecar.jdbcUrl(), "postgres", "");
             Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('digits')").close();
            s.execute("CREATE TABLE spark_launch_digits AS SELECT image, target FROM pgml.digits");
            s.executeQuery("SELECT * FROM pgml.train('it_spark_launch', 'classification', 'spark_launch_digits', 'target', 'xgboost', "
                    + "'{\"n_estimators\": 10, \"engine\": \"spark\"}')").close();
            List<String> notices = new ArrayList<>();
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                notices.add(w.getMessage());
            }
            // launched by SparkSubmit, spark-defaults.conf's executor memory, the sidecar's spark.app.name over the defaults'
            assertTrue(notices.stream().anyMatch(n -> n.contains("at local[2] (spark-submit, client mode, app pgml-from-sidecar-config, "
                    + "executor memory 777m)")), String.join("\n", notices));
            try (ResultSet rs = s.executeQuery("SELECT (m.metrics->>'accuracy')::float8 FROM pgml.models m JOIN pgml.projects p "
                    + "ON p.id = m.project_id WHERE p.name = 'it_spark_launch'")) {
                assertTrue(rs.next());
                assertTrue(rs.getDouble(1) > 0.85, "accuracy " + rs.getDouble(1));
            }
            assertFalse(sidecar.output().contains("not-printed-anywhere"), sidecar.output());
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aKubernetesMasterThatCannotBeReachedAndNoMasterAreClearErrors() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Map<String, String> env = Map.of("PGML_SIDECAR_SPARK_MASTER", "k8s://https://127.0.0.1:" + closed,
                "PGML_SIDECAR_SPARK_JOB_CLASSPATH", "/opt/spark-job/spark-job.jar",
                "PGML_SIDECAR_SPARK_CONF", "spark.kubernetes.container.image=registry.example/pgml-spark-job:1\n");
        try (SidecarProcess sidecar = SidecarProcess.start(CLUSTER.postgresPort(), List.of(), env);
             Connection c = DriverManager.getConnection(sidecar.jdbcUrl(), "postgres", "");
             Statement s = c.createStatement()) {
            PSQLException e = trainFails(s, "it_spark_k8s");
            assertEquals("08001", e.getSQLState(), e.getMessage());
            assertTrue(e.getServerErrorMessage().getMessage().contains("Kubernetes API server 127.0.0.1:" + closed), e.getMessage());
            String hint = e.getServerErrorMessage().getHint();
            assertTrue(hint.contains("spark.kubernetes.container.image") && hint.contains("service account"), hint);
            assertStillUsable(s);
        }
        // the old way, a system property, configures nothing now, and the sidecar says so
        try (SidecarProcess sidecar = SidecarProcess.start(CLUSTER.postgresPort(), List.of(),
                Map.of("JAVA_TOOL_OPTIONS", "-Dpgml.spark.master=local[2]"));
             Connection c = DriverManager.getConnection(sidecar.jdbcUrl(), "postgres", "");
             Statement s = c.createStatement()) {
            sidecar.awaitLine(l -> l.contains("system property pgml.spark.master is ignored") && l.contains("--spark-master"),
                    Duration.ofSeconds(30));
            PSQLException e = trainFails(s, "it_spark_no_master");
            assertEquals("55000", e.getSQLState(), e.getMessage());
            assertTrue(e.getServerErrorMessage().getHint().contains("--spark-master")
                    && e.getServerErrorMessage().getHint().contains("PGML_SIDECAR_SPARK_MASTER"), e.getServerErrorMessage().getHint());
            assertStillUsable(s);
        }
    }

    private static PSQLException trainFails(Statement s, String project) throws Exception {
        s.executeQuery("SELECT * FROM pgml.load_dataset('iris')").close();
        try {
            s.executeQuery("SELECT * FROM pgml.train('" + project + "', 'classification', 'pgml.iris', 'target', 'xgboost', "
                    + "'{\"engine\": \"spark\"}')").close();
        } catch (PSQLException e) {
            return e;
        }
        throw new AssertionError("the training did not fail");
    }

    private static void assertStillUsable(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT 1")) {
            assertTrue(rs.next());
        }
    }

    private static String java() {
        String home = System.getenv("JAVA_HOME");
        if (home == null || !Files.isExecutable(Path.of(home, "bin", "java"))) {
            home = System.getProperty("java.home");
        }
        return Path.of(home, "bin", "java").toString();
    }
}
