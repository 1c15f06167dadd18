package io.pgmlsidecar.ml.tabular.algorithms;

import io.github.metarank.lightgbm4j.LGBMBooster;
import io.pgmlsidecar.ml.tabular.TabularException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Loads LightGBM's native libraries into a directory of this process's own. lightgbm4j's class
 * initialiser extracts them to fixed names in {@code java.io.tmpdir} and loads those: a second JVM
 * starting (another sidecar, a test run) rewrote in place the files a running JVM had mapped, and
 * the running one crashed with SIGSEGV — on its next LightGBM call, or in the dynamic linker at its
 * next load of any native library, which walks every mapped library. So the initialiser runs once
 * with {@code java.io.tmpdir} pointing at a fresh private directory, and nothing of LightGBM is ever
 * read from the shared one. {@code LIGHTGBM_NATIVE_LIB_PATH}, lightgbm4j's own setting, still wins.
 */
final class LightgbmNative {
    private static boolean loaded;

    private LightgbmNative() {
    }

    static synchronized void load() {
        if (loaded) {
            return;
        }
        try {
            if (System.getenv("LIGHTGBM_NATIVE_LIB_PATH") != null) {
                LGBMBooster.loadNative();
            } else {
                Path dir = Files.createTempDirectory("pgml-sidecar-lightgbm-");
                initialiseLightgbm4jIn(dir);
                for (String name : libraries()) {
                    Path file = dir.resolve(name);
                    if (!Files.exists(file)) {
                        throw new IOException("lightgbm4j did not extract " + name + " for " + platform());
                    }
                    file.toFile().deleteOnExit();
                }
                dir.toFile().deleteOnExit();
            }
            loaded = true;
        } catch (IOException | UnsatisfiedLinkError | ClassNotFoundException e) {
            throw new TabularException("LightGBM's native library could not be loaded: " + e.getMessage(),
                    "lightgbm4j ships it for linux/macOS x86_64 and aarch64 and windows x86_64 (glibc builds, with libgomp installed)");
        }
    }

    /** Runs lightgbm4j's class initialiser (which extracts and loads the libraries) with the temporary directory set to {@code dir}. */
    private static void initialiseLightgbm4jIn(Path dir) throws ClassNotFoundException {
        synchronized (System.getProperties()) {
            String shared = System.getProperty("java.io.tmpdir");
            System.setProperty("java.io.tmpdir", dir.toString());
            try {
                Class.forName("io.github.metarank.lightgbm4j.LGBMBooster", true, LightgbmNative.class.getClassLoader());
            } finally {
                System.setProperty("java.io.tmpdir", shared);
            }
        }
    }

    private static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String cpu = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        String family = os.contains("win") ? "windows" : os.contains("mac") ? "osx" : "linux";
        return family + "/" + cpu;
    }

    private static List<String> libraries() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String ext = os.contains("win") ? ".dll" : os.contains("mac") ? ".dylib" : ".so";
        return List.of("lib_lightgbm" + ext, "lib_lightgbm_swig" + ext);
    }
}
