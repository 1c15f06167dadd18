package io.pgmlsidecar.ml;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The libraries the runtime serves models with, and their versions, read from the class path
 * without loading native code. They answer PostgresML's Python introspection functions
 * (python_package_version, python_pip_freeze, xgboost_version), since the sidecar runs no Python.
 */
public final class RuntimeLibraries {
    private RuntimeLibraries() {}

    /** A library; {@code pythonName} is the PostgresML-side package it stands in for (null if none). */
    public record Library(String name, String pythonName, String version) {
        /** pip freeze style line. */
        public String freezeLine() {
            return name + "==" + version;
        }
    }

    public static List<Library> all() {
        List<Library> out = new ArrayList<>();
        add(out, "onnxruntime", "onnxruntime", implementationVersion("ai.onnxruntime.OrtEnvironment"));
        // DJL writes "<HF tokenizers version>-<DJL version>" next to its native library
        Optional<String[]> tokenizers = property("native/lib/tokenizers.properties", "version").map(v -> v.split("-", 2));
        add(out, "tokenizers", "tokenizers", tokenizers.map(v -> v[0]));
        add(out, "djl-tokenizers", null, tokenizers.filter(v -> v.length == 2).map(v -> v[1]));
        add(out, "xgboost4j", "xgboost", pomVersion("ml.dmlc", "xgboost4j_2.12"));
        add(out, "libsvm", null, pomVersion("tw.edu.ntu.csie", "libsvm"));
        add(out, "liblinear", null, pomVersion("de.bwaldvogel", "liblinear"));
        out.add(new Library("java", null, Runtime.version().toString()));
        return out;
    }

    /** The library standing in for a Python package name (xgboost, onnxruntime, tokenizers), if any. */
    public static Optional<Library> forPythonPackage(String packageName) {
        String wanted = packageName == null ? "" : packageName.trim().toLowerCase().replace('_', '-');
        return all().stream().filter(l -> wanted.equals(l.pythonName()) || wanted.equals(l.name())).findFirst();
    }

    private static void add(List<Library> out, String name, String pythonName, Optional<String> version) {
        version.ifPresent(v -> out.add(new Library(name, pythonName, v)));
    }

    private static Optional<String> implementationVersion(String className) {
        try {
            Class<?> c = Class.forName(className, false, RuntimeLibraries.class.getClassLoader());
            return Optional.ofNullable(c.getPackage().getImplementationVersion());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
    }

    private static Optional<String> pomVersion(String groupId, String artifactId) {
        return property("META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties", "version");
    }

    private static Optional<String> property(String resource, String key) {
        try (InputStream in = RuntimeLibraries.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            Properties p = new Properties();
            p.load(in);
            return Optional.ofNullable(p.getProperty(key)).map(String::trim);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
