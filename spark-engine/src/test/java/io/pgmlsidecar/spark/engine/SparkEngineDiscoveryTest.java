package io.pgmlsidecar.spark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.planner.tabular.engine.TrainingEngines;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkEngineDiscoveryTest {

    @Test
    void theSparkEngineIsFoundByServiceLoaderWhenAMasterIsSet() {
        Map<String, String> settings = Map.of("pgml.spark.master", "local[2]");
        assertInstanceOf(SparkTrainingEngine.class, TrainingEngines.discover(settings::get).get("spark"));
    }

    @Test
    void withoutAMasterThereIsNoSparkEngineAndTheErrorSaysWhatToSet() {
        PgException e = assertThrows(PgException.class, () -> TrainingEngines.discover(k -> null).get("spark"));
        assertEquals("55000", e.error().sqlState());
        assertTrue(e.error().hint().contains("--spark-master"), e.error().hint());
    }

    @Test
    void settingsHaveDefaultsAndReadTheClasspathFromAFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("cp.txt"), "/a.jar:/b.jar\n");
        Map<String, String> m = Map.of("pgml.spark.master", "spark://h:7077", "pgml.spark.job-classpath", "@" + dir.resolve("cp.txt"),
                "pgml.spark.jdbc-url", "jdbc:postgresql://db:5432");
        SparkSettings s = SparkSettings.from(m::get).orElseThrow();
        assertEquals("/a.jar:/b.jar", s.jobClasspath());
        assertEquals(2, s.partitions());
        assertEquals("jdbc:postgresql://db:5432/my%20db", s.jdbcUrl("my db"));
        assertEquals("postgres", s.adminUser());
    }

    @Test
    void theDriverRunsOnAJavaSparkSupports() {
        Path java;
        try {
            java = JavaForSpark.find(null);
        } catch (PgException none) {
            assertEquals("55000", none.error().sqlState());
            assertTrue(none.error().hint().contains("--spark-java-home"));
            return;
        }
        int major = JavaForSpark.major(java.getParent().getParent());
        assertTrue(major >= 17 && major <= 22, java + " is Java " + major);
    }
}
