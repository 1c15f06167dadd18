package io.pgmlsidecar.spark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.proxy.intercept.PgException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the driver is started (plain JVM or SparkSubmit) and what a k8s:// master is told before anything starts. */
class DriverLaunchTest {

    @TempDir
    Path dir;

    private static SparkSettings settings(Map<String, String> m) {
        return SparkSettings.from(m::get).orElseThrow();
    }

    @Test
    void withoutASparkHomeTheJobClassRunsOnTheJobClasspath() {
        DriverCommand c = DriverCommand.of(settings(Map.of("pgml.spark.master", "local[2]", "pgml.spark.job-classpath", "/job.jar")),
                Path.of("/jdk/bin/java"), dir);
        List<String> cmd = c.command();
        assertEquals(List.of("-cp", "/job.jar", DriverCommand.JOB_CLASS, "local[2]"), cmd.subList(cmd.size() - 4, cmd.size()));
        assertTrue(c.environment().isEmpty());
    }

    @Test
    void withASparkHomeTheDriverIsSparkSubmitInClientModeOverItsJarsAndConf() throws Exception {
        Path home = Files.createDirectories(dir.resolve("spark"));
        Files.createDirectories(home.resolve("jars"));
        DriverCommand c = DriverCommand.of(settings(Map.of("pgml.spark.master", "spark://h:7077", "pgml.spark.job-classpath", "/job.jar",
                "pgml.spark.home", home.toString())), Path.of("/jdk/bin/java"), dir);
        List<String> cmd = c.command();
        int cp = cmd.indexOf("-cp");
        assertEquals("/job.jar:" + home.resolve("conf") + ":" + home.resolve("jars") + "/*", cmd.get(cp + 1));
        assertEquals(List.of(DriverCommand.SUBMIT_CLASS, "--master", "spark://h:7077", "--deploy-mode", "client", "--class",
                DriverCommand.JOB_CLASS, "spark-internal", "spark://h:7077"), cmd.subList(cp + 2, cmd.size()));
        assertEquals(Map.of("SPARK_HOME", home.toString(), "SPARK_CONF_DIR", home.resolve("conf").toString()), c.environment());
        DriverCommand.checkHome(settings(Map.of("pgml.spark.master", "local", "pgml.spark.home", home.toString())));
        PgException noJars = assertThrows(PgException.class,
                () -> DriverCommand.checkHome(settings(Map.of("pgml.spark.master", "local", "pgml.spark.home", dir.resolve("none").toString()))));
        assertEquals("55000", noJars.error().sqlState());
        assertTrue(noJars.error().hint().contains("--spark-home"), noJars.error().hint());
    }

    @Test
    void sparkConfLinesKeepTheirOrderAndRefuseWhatIsNotKeyValue() {
        SparkSettings s = settings(Map.of("pgml.spark.master", "local", "pgml.spark.conf", "# a comment\nspark.b=2\n\nspark.a = x=y\n"));
        assertEquals(List.of("spark.b", "spark.a"), List.copyOf(s.sparkConf().keySet()));
        assertEquals("x=y", s.sparkConf().get("spark.a"));
        assertThrows(IllegalArgumentException.class, () -> settings(Map.of("pgml.spark.master", "local", "pgml.spark.conf", "spark.b")));
    }

    @Test
    void anUnreachableKubernetesApiServerIs08001WithWhatAClusterNeeds() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        PgException e = assertThrows(PgException.class,
                () -> KubernetesMaster.check("k8s://https://127.0.0.1:" + closed, Map.of("spark.kubernetes.container.image", "x")));
        assertEquals("08001", e.error().sqlState());
        assertTrue(e.error().message().contains("127.0.0.1:" + closed), e.error().message());
        assertTrue(e.error().hint().contains("spark.kubernetes.container.image") && e.error().hint().contains("service account"),
                e.error().hint());
    }

    @Test
    void aReachableKubernetesApiServerStillNeedsAContainerImage() throws Exception {
        try (ServerSocket api = new ServerSocket(0)) {
            PgException e = assertThrows(PgException.class, () -> KubernetesMaster.check("k8s://127.0.0.1:" + api.getLocalPort(), Map.of()));
            assertEquals("55000", e.error().sqlState());
            assertTrue(e.error().hint().contains("--spark-conf spark.kubernetes.container.image="), e.error().hint());
            KubernetesMaster.check("k8s://127.0.0.1:" + api.getLocalPort(), Map.of("spark.kubernetes.container.image", "img"));
        }
    }
}
