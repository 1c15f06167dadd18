package io.pgmlsidecar.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The packaged sidecar ({@code deploy/target/pgml-sidecar.jar}) as its own process, with a metrics
 * port: for what only the launcher does (metrics, health, configuration, signals). Its output is
 * kept, so a test can wait for a line.
 */
public final class SidecarProcess implements AutoCloseable {

    public static final Path JAR = Path.of("..", "deploy", "target", "pgml-sidecar.jar").toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final int port;
    private final int metricsPort;
    private final List<String> output = new CopyOnWriteArrayList<>();

    private SidecarProcess(Process process, int port, int metricsPort) {
        this.process = process;
        this.port = port;
        this.metricsPort = metricsPort;
    }

    /** Starts the jar in front of {@code upstreamPort} with {@code extraArgs}, and waits for "ready". */
    public static SidecarProcess start(int upstreamPort, List<String> extraArgs, Map<String, String> env) throws Exception {
        return start(List.of(), upstreamPort, extraArgs, env);
    }

    /**
     * As {@link #start(int, List, Map)}, with {@code launcher} put before the java command, e.g. a shell
     * that changes the signal dispositions the sidecar inherits and then {@code exec}s it (same pid).
     */
    public static SidecarProcess start(List<String> launcher, int upstreamPort, List<String> extraArgs, Map<String, String> env)
            throws Exception {
        if (!Files.isRegularFile(JAR)) {
            throw new AssertionError(JAR + " is missing: build it with mvn package (the deploy module)");
        }
        int port = freePort();
        int metricsPort = freePort();
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString(),
                "--listen", "127.0.0.1:" + port, "--metrics-listen", "127.0.0.1:" + metricsPort,
                "--upstream", "postgresql://postgres@127.0.0.1:" + upstreamPort + "/postgres", "--no-warm-up",
                "--remote-allow", "127.0.0.1")); // endpoint stand-ins listen on loopback
        command.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        SidecarProcess p = new SidecarProcess(pb.start(), port, metricsPort);
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    p.output.add(line);
                    if (line.contains("pgml-sidecar") && line.contains(" ready on ")) {
                        ready.complete(true);
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
            ready.complete(false);
        });
        if (!ready.get(90, TimeUnit.SECONDS)) {
            p.close();
            throw new AssertionError("the sidecar never said it was ready:\n" + p.output());
        }
        return p;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** GET on the metrics port. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public PrometheusText scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = get("/metrics");
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + r.statusCode() + ": " + r.body());
        }
        return new PrometheusText(r.body());
    }

    /** Waits until a line of output satisfies {@code test}. */
    public String awaitLine(Predicate<String> test, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            for (String line : output) {
                if (test.test(line)) {
                    return line;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no such line within " + timeout + ":\n" + output());
    }

    /** Waits for the process to end by itself; its exit code, or null if it still runs after {@code timeout}. */
    public Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    public String output() {
        return String.join("\n", output);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String java() {
        String home = System.getenv("JAVA_HOME");
        if (home == null || !Files.isExecutable(Path.of(home, "bin", "java"))) {
            home = System.getProperty("java.home");
        }
        return Path.of(home, "bin", "java").toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
