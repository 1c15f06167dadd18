package io.pgmlsidecar.ml.tabular.algorithms;

import io.github.metarank.lightgbm4j.LGBMBooster;
import io.pgmlsidecar.ml.tabular.TabularException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Loads LightGBM's native libraries from lightgbm4j's jar into a directory of this process's own.
 * lightgbm4j's loader writes them to fixed names in java.io.tmpdir, so a second JVM starting (a test run,
 * another sidecar) rewrote the file a running sidecar had mapped and crashed it with SIGSEGV on its next
 * LightGBM call. lightgbm4j's class initialiser still extracts and loads its copies, but JNI binds the
 * native methods to the libraries loaded first by the class loader — these — so the shared files are never
 * executed. {@code LIGHTGBM_NATIVE_LIB_PATH}, lightgbm4j's own setting, is still honoured.
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
                dir.toFile().deleteOnExit();
                for (String name : libraries()) {
                    Path file = dir.resolve(name);
                    try (InputStream in = LGBMBooster.class.getResourceAsStream("/lightgbm4j/" + platform() + "/" + name)) {
                        if (in == null) {
                            throw new IOException("lightgbm4j has no " + name + " for " + platform());
                        }
                        Files.copy(in, file);
                    }
                    file.toFile().deleteOnExit();
                    System.load(file.toString()); // lib_lightgbm first: the swig library links against it by name
                }
            }
            loaded = true;
        } catch (IOException | UnsatisfiedLinkError e) {
            throw new TabularException("LightGBM's native library could not be loaded: " + e.getMessage(),
                    "lightgbm4j ships it for linux/macOS x86_64 and aarch64 and windows x86_64 (glibc builds, with libgomp installed)");
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
