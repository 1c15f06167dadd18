package io.pgmlsidecar.ml.tabular.algorithms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** LightGBM's libraries come from a directory of this process's own, never from lightgbm4j's fixed names in the shared one. */
class LightgbmNativeTest {

    @Test
    void nativeLibrariesAreMappedFromAPrivateDirectoryNotTheSharedOne() throws Exception {
        LightgbmNative.load();
        String shared = java.nio.file.Path.of(System.getProperty("java.io.tmpdir")).toRealPath().toString();
        java.util.List<String> mapped = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("lib_lightgbm")).map(l -> l.substring(l.indexOf('/'))).distinct().toList();
        assertTrue(!mapped.isEmpty(), "lib_lightgbm is loaded");
        for (String path : mapped) {
            java.nio.file.Path parent = java.nio.file.Path.of(path).getParent();
            assertTrue(parent.getFileName().toString().startsWith("pgml-sidecar-lightgbm-"), path);
            assertTrue(!parent.toString().equals(shared), "not the fixed names another JVM rewrites: " + path);
        }
        assertEquals(shared, java.nio.file.Path.of(System.getProperty("java.io.tmpdir")).toRealPath().toString(),
                "the temporary directory is restored");
    }
}
