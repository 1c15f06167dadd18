package io.pgmlsidecar.spark.engine;

import io.pgmlsidecar.planner.bulk.BulkJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** One bulk embedding's or classification's driver process, staging table and model copy; see {@link BulkJob}. */
final class SparkBulkJob implements BulkJob {
    private final SparkJobProcess process;
    private final StagingTable staging;
    private final Path modelDir;
    /** "embedded" or "classified", for the last progress line. */
    private final String verb;

    SparkBulkJob(SparkJobProcess process, StagingTable staging, Path modelDir, String verb) {
        this.process = process;
        this.staging = staging;
        this.modelDir = modelDir;
        this.verb = verb;
    }

    @Override
    public long awaitStaged(Consumer<String> progress, BooleanSupplier cancelled) {
        // a cancel: the staging table goes while the job's login role still exists (the process's close drops the role)
        var done = process.await("done", progress, () -> {
            if (!cancelled.getAsBoolean()) {
                return false;
            }
            process.stopProcess();
            staging.drop();
            return true;
        });
        long rows = done.path("rows").asLong();
        progress.accept(String.format(java.util.Locale.ROOT, "Spark %s %d rows in %.1f s", verb, rows, done.path("seconds").asDouble()));
        return rows;
    }

    @Override
    public void releaseAfterTransaction() {
        PendingCleanups.start("pgml-spark-staging-drop", this::close);
    }

    @Override
    public void close() {
        process.stopProcess();
        staging.drop();
        process.close();
        removeQuietly(modelDir);
    }

    static void removeQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
