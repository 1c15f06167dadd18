package io.pgmlsidecar.spark.engine;

import io.pgmlsidecar.proxy.intercept.PgException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The JVM that runs the Spark driver. Spark 3.5 runs on Java 17 (and, with its module options, up to 22); its Hadoop
 * calls {@code Subject.getSubject}, which throws on Java 23+, so the sidecar's own JVM (21+, often newer) is used only
 * when it is one of those. Found from the JDK's {@code release} file, without starting a process.
 */
public final class JavaForSpark {
    private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(?:1\\.)?(\\d+)");

    /** Spark's module options for Java 17+ (what its launcher adds, JavaModuleOptions). */
    public static final List<String> MODULE_OPTIONS = Stream.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
            "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref", "sun.nio.ch", "sun.nio.cs",
            "sun.security.action", "sun.util.calendar").map(p -> "--add-opens=java.base/" + p + "=ALL-UNNAMED").toList();

    private JavaForSpark() {}

    public static Path find(Path configured) {
        if (configured != null) {
            return java(configured);
        }
        List<Path> candidates = new ArrayList<>();
        if (System.getenv("SPARK_JAVA_HOME") != null) {
            candidates.add(Path.of(System.getenv("SPARK_JAVA_HOME")));
        }
        candidates.add(Path.of(System.getProperty("java.home")));
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                // the oldest supported first: Java 17 is what Spark 3.5 is tested on
                s.filter(p -> major(p) > 0).sorted(Comparator.comparingInt(JavaForSpark::major)).forEach(candidates::add);
            } catch (IOException ignored) {
                // no candidates from there
            }
        }
        for (Path home : candidates) {
            int major = major(home);
            if (major >= 17 && major <= 22 && Files.isExecutable(home.resolve("bin/java"))) {
                return home.resolve("bin/java");
            }
        }
        throw new PgException("55000", "no Java runtime that Spark 3.5 runs on (Java 17 to 22) was found for the Spark driver",
                "Install a JDK 17 and set --spark-java-home (PGML_SIDECAR_SPARK_JAVA_HOME) to it (the sidecar's own Java " + Runtime.version().feature()
                        + " cannot run Spark 3.5's Hadoop).");
    }

    private static Path java(Path home) {
        Path java = home.resolve("bin/java");
        if (!Files.isExecutable(java)) {
            throw new PgException("55000", "--spark-java-home " + home + " has no bin/java", "Set it to a JDK 17 directory.");
        }
        return java;
    }

    /** The feature version in {@code home/release}, 0 when unknown. */
    static int major(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
