package io.pgmlsidecar.spark.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The job's side of its exchange with the sidecar: commands arrive as JSON lines on stdin (so the credential is
 * never on a command line), events leave as {@code PGML-SPARK <json>} lines on stdout; Spark's own logging goes
 * to stderr.
 */
final class JobProtocol {
    static final String PREFIX = "PGML-SPARK ";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    private final PrintStream out;

    JobProtocol(PrintStream out) {
        this.out = out;
    }

    /** The next command; the sidecar closing stdin (it gave up) ends the job. */
    JsonNode next() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new JobFailure("57014", "the sidecar ended the job", null);
        }
        return JSON.readTree(line);
    }

    /**
     * For a job that reads no further command: ends the driver (and in local mode its executors) when stdin closes,
     * which is how a sidecar that died, or killed the job, shows. Without it an orphaned driver would go on writing into
     * a staging table that no session will apply (decision 37r).
     */
    void endWhenStdinCloses() {
        Thread t = new Thread(() -> {
            try {
                while (in.readLine() != null) {
                    // no command is expected; a line is ignored
                }
            } catch (IOException ignored) {
                // closed as well
            }
            System.err.println("pgml-sidecar spark job: stdin closed (the sidecar is gone or ended the job); stopping");
            Runtime.getRuntime().halt(3);
        }, "pgml-stdin-watch");
        t.setDaemon(true);
        t.start();
    }

    synchronized void send(Map<String, Object> event) {
        try {
            out.println(PREFIX + JSON.writeValueAsString(event));
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The job failed: its SQLSTATE, message and hint as the sidecar will send them to the client. */
    void failed(Throwable t) {
        JobFailure f = JobFailure.from(t);
        Map<String, Object> error = new java.util.LinkedHashMap<>();
        error.put("event", "error");
        error.put("sqlstate", f.sqlState);
        error.put("message", f.getMessage());
        error.put("hint", f.hint);
        send(error);
    }

    void progress(String message) {
        send(Map.of("event", "progress", "message", message));
    }
}
