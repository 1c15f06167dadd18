package io.pgmlsidecar.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a client program (psql, python, node) to completion and captures what it printed. */
public final class ExternalProcess {
    private ExternalProcess() {}

    public record Result(int exitCode, String stdout, String stderr) {
        /** The last non-blank line of stdout, or "". */
        public String lastLine() {
            String[] lines = stdout.strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1].strip();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    public static Result run(List<String> command, Map<String, String> env, Path workingDirectory, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command)
                    + "\n--- stdout ---\n" + out.getNow("") + "\n--- stderr ---\n" + err.getNow(""));
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
