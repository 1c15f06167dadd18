package io.pgmlsidecar.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RuntimeLibrariesTest {

    @Test
    void versionsComeFromTheClassPath() {
        Map<String, String> versions = RuntimeLibraries.all().stream()
                .collect(Collectors.toMap(RuntimeLibraries.Library::name, RuntimeLibraries.Library::version));
        assertTrue(versions.get("onnxruntime").matches("\\d+\\.\\d+\\.\\d+"), versions.toString());
        assertTrue(versions.get("xgboost4j").matches("\\d+\\.\\d+\\.\\d+"), versions.toString());
        assertTrue(versions.get("tokenizers").matches("\\d+\\.\\d+\\.\\d+"), versions.toString());
        assertEquals(Runtime.version().toString(), versions.get("java"));
    }

    @Test
    void pythonPackageNamesMapToTheirStandIns() {
        assertEquals("xgboost4j", RuntimeLibraries.forPythonPackage("xgboost").orElseThrow().name());
        assertEquals("onnxruntime", RuntimeLibraries.forPythonPackage(" ONNXRuntime ").orElseThrow().name());
        assertTrue(RuntimeLibraries.forPythonPackage("torch").isEmpty());
    }
}
