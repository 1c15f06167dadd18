package io.pgmlsidecar.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.pgmlsidecar.it.support.NoBufferLeaks;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The project's ports of PostgresML's example flows (examples/*.sql) run through the sidecar with
 * psql and ON_ERROR_STOP: not a single error, and the output shows the flow did its work; the
 * flows cross every intercepted path, and no network buffer may be left unreleased.
 */
@ExtendWith(NoBufferLeaks.class)
class ExampleScriptsTest {

    @ParameterizedTest
    @CsvSource({
            "binary_classification.sql, Breast Cancer Detection",
            "multi_classification.sql, Iris Flower Types",
            "regression.sql, explains_variance",
            "joint_regression.sql, weight_waist_pulse",
            "clustering.sql, Iris Clusters",
            "decomposition.sql, components",
            "vectors.sql, The cat sat on the mat.",
            "chunking.sql, Kittens are young cats",
            "admin.sql, xgboost4j==",
            "fine_tuning.sql, \"label\": \"positive\"",
            "unified_rag.sql, Here is a third example of the pgml.transform function",
    })
    void runsWithoutErrors(String script, String expectedInOutput) throws Exception {
        Path file = Path.of("..", "examples", script).toAbsolutePath().normalize();
        assertTrue(Files.exists(file), file.toString());
        int port = TestCluster.get().sidecarPort();
        Cli.Result r = Cli.run(List.of(Cli.require("psql"), "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", "postgres", "-d", "postgres", "-f", file.toString()), "it_examples", 300);
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(!r.stderr().contains("ERROR"), r.stderr());
        assertTrue(r.stdout().contains(expectedInOutput), r.stdout());
    }
}
