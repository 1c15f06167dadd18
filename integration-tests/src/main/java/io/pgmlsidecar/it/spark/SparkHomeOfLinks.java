package io.pgmlsidecar.it.spark;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Spark "distribution" made of links to the jars of a class path (the build's Spark 3.5.7 from Maven): {@code RELEASE},
 * {@code jars/}, an empty {@code conf/}. Enough for Spark's launcher (standalone workers) and for SparkSubmit, where no
 * real distribution can be downloaded.
 */
public final class SparkHomeOfLinks {
    private SparkHomeOfLinks() {}

    public static Path create(Path home, String classpath) throws IOException {
        Files.writeString(home.resolve("RELEASE"), "Spark 3.5.7 (links for the tests)\n");
        Files.createDirectories(home.resolve("conf"));
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String entry : classpath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(p) && !Files.exists(jars.resolve(p.getFileName()))) {
                Files.createSymbolicLink(jars.resolve(p.getFileName()), p);
            }
        }
        return home;
    }
}
