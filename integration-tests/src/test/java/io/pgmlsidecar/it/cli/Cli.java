package io.pgmlsidecar.it.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs PostgreSQL's command-line clients (psql, pgbench) as child processes and collects their output. */
final class Cli {

    private Cli() {}

    /** The finished process: exit code, stdout and stderr. */
    record Result(int exitCode, String stdout, String stderr) {
        String all() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** A started process whose stdout and stderr are drained on background threads. */
    static final class Running implements AutoCloseable {
        final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Thread outPump;
        private final Thread errPump;

        Running(Process process) {
            this.process = process;
            this.outPump = Thread.ofVirtual().start(() -> pump(process.getInputStream(), out));
            this.errPump = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), err));
        }

        private static void pump(InputStream in, ByteArrayOutputStream sink) {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (sink) {
                        sink.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the process went away
            }
        }

        void write(String text) {
            try {
                process.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
                process.getOutputStream().flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void closeInput() {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String stdoutSoFar() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String stderrSoFar() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        /** Sends a signal (e.g. "INT") to the process, like a terminal's Ctrl-C. */
        void signal(String name) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        }

        Result await(long timeout, TimeUnit unit) throws InterruptedException {
            if (!process.waitFor(timeout, unit)) {
                process.destroyForcibly();
                throw new AssertionError("process did not finish within " + timeout + " " + unit
                        + "\n--- stdout\n" + stdoutSoFar() + "\n--- stderr\n" + stderrSoFar());
            }
            outPump.join();
            errPump.join();
            return new Result(process.exitValue(), stdoutSoFar(), stderrSoFar());
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /** The binary's path; fails (does not skip) when it is missing: bin/install-test-clients installs it. */
    static String require(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            java.nio.file.Path p = java.nio.file.Path.of(dir, binary);
            if (java.nio.file.Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(binary + " is not on the PATH; run bin/install-test-clients (postgresql-client) first");
    }

    static Running start(List<String> command, String appName) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
        pb.environment().remove("PGPASSWORD");
        pb.environment().remove("PGSERVICE");
        pb.environment().put("PGAPPNAME", appName);
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        pb.environment().put("PGSSLMODE", "disable");
        pb.environment().put("PGTZ", "UTC");
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().put("PGCLIENTENCODING", "UTF8");
        return new Running(pb.start());
    }

    static Result run(List<String> command, String appName, long timeoutSeconds) throws IOException, InterruptedException {
        try (Running r = start(command, appName)) {
            r.closeInput();
            return r.await(timeoutSeconds, TimeUnit.SECONDS);
        }
    }
}
