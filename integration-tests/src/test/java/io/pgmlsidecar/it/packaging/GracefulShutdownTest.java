package io.pgmlsidecar.it.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.ExternalProcess;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.wire.RawPgClient;
import io.pgmlsidecar.it.wire.RawPgClient.BackendMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The packaged jar: --help, and SIGTERM letting a running statement finish before exiting 0. */
class GracefulShutdownTest {

    private static final Path JAR = Path.of("..", "deploy", "target", "pgml-sidecar.jar").toAbsolutePath().normalize();

    private static String java() {
        String home = System.getenv("JAVA_HOME");
        if (home == null || !Files.isExecutable(Path.of(home, "bin", "java"))) {
            home = System.getProperty("java.home");
        }
        return Path.of(home, "bin", "java").toString();
    }

    private static void assertJarBuilt() {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build it with mvn install (the deploy module)");
    }

    @Test
    void helpListsTheOptionsAndExitsZero() throws Exception {
        assertJarBuilt();
        ExternalProcess.Result r = ExternalProcess.run(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar",
                JAR.toString(), "--help"), Map.of(), null, Duration.ofSeconds(60));
        assertEquals(0, r.exitCode(), r.toString());
        String all = r.stdout() + r.stderr();
        for (String option : List.of("--listen", "--upstream", "--shutdown-grace", "--tls-cert", "--tls-key", "--help", "--version")) {
            assertTrue(all.contains(option), "--help should list " + option + ":\n" + all);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void sigtermLetsTheRunningStatementFinishThenExitsZero() throws Exception {
        assertJarBuilt();
        TestCluster cluster = TestCluster.get();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(java(), "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString(),
                "--listen", "127.0.0.1:" + port,
                "--upstream", "postgresql://postgres@127.0.0.1:" + cluster.postgresPort() + "/postgres",
                "--shutdown-grace", "10s").redirectErrorStream(true);
        Process process = pb.start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    if (line.contains("pgml-sidecar") && line.contains("ready")) {
                        ready.complete(line);
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
            ready.complete(null);
        });
        try {
            String readyLine = ready.get(60, TimeUnit.SECONDS);
            assertNotNull(readyLine, "the sidecar never said it was ready:\n" + String.join("\n", output));

            // an idle session, which SIGTERM closes at once
            RawPgClient idle = RawPgClient.connect(port, 10_000);
            idle.startupAndWaitReady("postgres", "postgres");

            // a busy session, whose statement SIGTERM lets finish
            Connection busy = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
            AtomicBoolean queryDone = new AtomicBoolean();
            CompletableFuture<Object> query = CompletableFuture.supplyAsync(() -> {
                try (Statement s = busy.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_sleep(2), 'finished' AS status")) {
                    rs.next();
                    return rs.getString("status");
                } catch (Exception e) {
                    return e;
                } finally {
                    queryDone.set(true);
                }
            });
            awaitActive(cluster, "SELECT pg_sleep(2), 'finished' AS status");

            // SIGTERM; through the handle, because Process.destroy() also closes our end of its stdout
            assertTrue(process.toHandle().destroy(), "could not send SIGTERM");

            // new connections are refused while the statement still runs
            boolean refused = false;
            boolean refusedWhileBusy = false;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (!refused && System.nanoTime() < until) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                    Thread.sleep(25);
                } catch (ConnectException e) {
                    refused = true;
                    refusedWhileBusy = !queryDone.get();
                }
            }
            assertTrue(refused, "the listening port still accepted connections after SIGTERM");
            assertTrue(refusedWhileBusy, "connections should be refused as soon as shutdown begins, before the statement ends");

            // the idle session was told and closed
            List<BackendMessage> told = idle.readToEof();
            idle.close();
            assertEquals(1, told.size(), RawPgClient.render(told));
            assertEquals("57P01", told.get(0).field('C'), RawPgClient.render(told));
            assertFalse(queryDone.get(), "the idle session should be closed before the busy statement ends");

            Object result = query.get(30, TimeUnit.SECONDS);
            assertEquals("finished", result, "the running statement must complete through the shutdown: " + result);
            busy.close();

            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the sidecar did not exit:\n" + String.join("\n", output));
            assertEquals(0, process.exitValue(), String.join("\n", output));
            reader.join(5000);
            assertTrue(output.stream().anyMatch(l -> l.contains("pgml-sidecar stopped")), String.join("\n", output));
            assertNull(output.stream().filter(l -> l.contains("Exception")).findFirst().orElse(null),
                    "no exceptions in the sidecar's output:\n" + String.join("\n", output));
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static void awaitActive(TestCluster cluster, String sql) throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < until) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = '"
                        + sql.replace("'", "''") + "'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the statement never became active: " + sql);
    }
}
