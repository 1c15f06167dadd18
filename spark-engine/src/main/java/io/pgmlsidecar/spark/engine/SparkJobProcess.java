package io.pgmlsidecar.spark.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.planner.tabular.engine.EngineJob;
import io.pgmlsidecar.planner.tabular.engine.EngineJob.ReadSummary;
import io.pgmlsidecar.planner.tabular.engine.FitCommand;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One Spark driver program (spark-job's {@code TrainJob}) in a child JVM: commands go to its stdin as JSON lines, its
 * {@code PGML-SPARK} events come back on stdout, the rest of its output (Spark's logging) is kept as a short tail for
 * error messages. {@link #close} kills the process, drops its login role and removes its files.
 */
final class SparkJobProcess implements EngineJob {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "PGML-SPARK ";

    private final Process process;
    private final ShortLivedRole role;
    private final Path dir;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final OutputStream stdin;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private SparkJobProcess(Process process, ShortLivedRole role, Path dir) {
        this.process = process;
        this.role = role;
        this.dir = dir;
        this.stdin = process.getOutputStream();
        Thread.ofVirtual().name("pgml-spark-events").start(this::readEvents);
        Thread.ofVirtual().name("pgml-spark-log").start(this::readLog);
    }

    static SparkJobProcess start(SparkSettings settings, Path java, ShortLivedRole role, Map<String, Object> read) {
        return start(settings, java, role, "io.pgmlsidecar.spark.job.TrainJob", Map.of("read", read));
    }

    /** The driver program {@code mainClass}, given {@code first} as its first command. */
    static SparkJobProcess start(SparkSettings settings, Path java, ShortLivedRole role, String mainClass, Map<String, Object> first) {
        try {
            Path dir = Files.createTempDirectory(Files.createDirectories(settings.workDir()), "pgml-spark-");
            DriverCommand driver = DriverCommand.of(settings, java, dir, mainClass);
            ProcessBuilder pb = new ProcessBuilder(driver.command()).directory(dir.toFile());
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().putAll(driver.environment());
            SparkJobProcess job = new SparkJobProcess(pb.start(), role, dir);
            // Spark settings travel with the first command, not on the command line: some are secrets
            java.util.Map<String, Object> command = new java.util.LinkedHashMap<>(first);
            command.put("conf", settings.sparkConf());
            command.put("executorWaitSeconds", settings.executorWaitSeconds());
            job.send(command);
            return job;
        } catch (IOException e) {
            role.close();
            throw new PgException("58000", "could not start the Spark driver: " + e.getMessage(),
                    "Check --spark-java-home, --spark-job-classpath and --spark-home.");
        }
    }

    private void send(Map<String, Object> command) {
        try {
            stdin.write((JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            // the process ended; its exit event says why
        }
    }

    private void readEvents() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith(PREFIX)) {
                    events.add(JSON.readTree(line.substring(PREFIX.length())));
                } else {
                    keep(line);
                }
            }
        } catch (IOException e) {
            keep("(driver output: " + e.getMessage() + ")");
        }
        events.add(JSON.createObjectNode().put("event", "exit"));
    }

    private void readLog() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                keep(line);
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    private synchronized void keep(String line) {
        tail.addLast(line);
        while (tail.size() > 30) {
            tail.removeFirst();
        }
    }

    private synchronized String tail() {
        return String.join("\n", tail);
    }

    /** Events until one named {@code wanted}; progress to {@code progress}; failures as PostgreSQL errors. */
    JsonNode await(String wanted, Consumer<String> progress, BooleanSupplier cancelled) {
        while (true) {
            JsonNode e;
            try {
                e = events.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                close();
                throw new PgException("57014", "canceling statement due to user request", null);
            }
            if (cancelled.getAsBoolean()) {
                close();
                throw new PgException("57014", "canceling statement due to user request", null);
            }
            if (e == null) {
                continue;
            }
            String kind = e.path("event").asText();
            if (kind.equals(wanted)) {
                return e;
            }
            switch (kind) {
                case "progress" -> progress.accept(e.path("message").asText());
                case "error" -> throw new PgException(PgError.error(e.path("sqlstate").asText("XX000"), e.path("message").asText(),
                        e.path("hint").isTextual() ? e.path("hint").asText() : "See the Spark driver's log in the sidecar's log."));
                case "exit" -> {
                    int code = exitCode();
                    throw new PgException(PgError.error("XX000", "the Spark driver ended unexpectedly (exit " + code + ")",
                            "Its last output: " + lastLines(tail(), 5)));
                }
                default -> { /* an event of a later job version */ }
            }
        }
    }

    private int exitCode() {
        try {
            return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String lastLines(String text, int n) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    @Override
    public ReadSummary awaitRead(Consumer<String> progress, BooleanSupplier cancelled) {
        JsonNode read = await("read", progress, cancelled);
        long[] counts = new long[read.path("counts").size()];
        double[] checksums = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = read.path("counts").get(i).asLong();
            checksums[i] = read.path("checksums").path(i).asDouble();
        }
        progress.accept(String.format(java.util.Locale.ROOT, "Spark read %d rows in %d ranges in %.1f s",
                java.util.Arrays.stream(counts).sum(), counts.length, read.path("seconds").asDouble()));
        return new ReadSummary(counts, checksums);
    }

    @Override
    public byte[] fit(FitCommand command, Consumer<String> progress, BooleanSupplier cancelled) {
        try {
            Path mask = dir.resolve("train-mask.bin");
            Files.write(mask, command.trainMask());
            Path out = dir.resolve("booster.ubj");
            Map<String, Object> fit = new LinkedHashMap<>();
            fit.put("mask", mask.toString());
            fit.put("task", command.task());
            fit.put("classValues", command.classValues());
            fit.put("numFeatures", command.numFeatures());
            fit.put("params", command.params());
            fit.put("rounds", command.rounds());
            fit.put("out", out.toString());
            send(Map.of("fit", fit));
            JsonNode done = await("done", progress, cancelled);
            progress.accept(String.format(java.util.Locale.ROOT, "Spark trained %d rounds on %d rows in %.1f s", command.rounds(),
                    command.trainRows(), done.path("seconds").asDouble()));
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the driver and what it started (the role and files stay, for {@link #close}). */
    void stopProcess() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The job's directory (removed by {@link #close}). */
    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return; // a cancel closed it already
        }
        stopProcess();
        role.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
