package io.pgmlsidecar.it.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.pgmlsidecar.it.support.SidecarProcess;
import io.pgmlsidecar.it.support.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sidecar started with SIGHUP ignored (as under nohup) cannot get it back — the JVM keeps a signal
 * ignored at exec ignored — so it says so at startup and points to the console's RELOAD, which works.
 */
class SighupIgnoredWarningTest {

    private static final String WARNING = "WARNING: SIGHUP is ignored";

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void startedWithSighupIgnoredItWarnsAndReloadStillWorks() throws Exception {
        TestCluster cluster = TestCluster.get();
        // what nohup does, without nohup's redirection of the output: ignore SIGHUP, then exec (same pid)
        List<String> sighupIgnored = List.of("sh", "-c", "trap '' HUP; exec \"$@\"", "sh");
        try (SidecarProcess sidecar = SidecarProcess.start(sighupIgnored, cluster.postgresPort(),
                List.of("--admin-role", "pg_monitor"), Map.of())) {
            String warning = sidecar.awaitLine(l -> l.startsWith(WARNING), Duration.ofSeconds(5));
            assertTrue(warning.contains("kill -HUP will not reload") && warning.contains("RELOAD"), warning);

            // the signal is dropped by the kernel: no reload, and the sidecar lives on
            new ProcessBuilder("kill", "-HUP", Long.toString(sidecar.pid())).inheritIO().start().waitFor();
            Thread.sleep(2000);
            assertTrue(sidecar.awaitExit(Duration.ZERO) == null, "still running:\n" + sidecar.output());
            assertTrue(sidecar.output().lines().noneMatch(l -> l.startsWith("reload:")), sidecar.output());

            // the alternative the warning names
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port()
                    + "/pgml_sidecar?preferQueryMode=simple", "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("RELOAD");
            }
            sidecar.awaitLine(l -> l.startsWith("reload: done"), Duration.ofSeconds(10));
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void startedNormallyItDoesNotWarn() throws Exception {
        // a test run that itself ignores SIGHUP (nohup mvn …) passes that on to every child
        assumeFalse(sighupIgnoredHere(), "this JVM was started with SIGHUP ignored");
        try (SidecarProcess sidecar = SidecarProcess.start(TestCluster.get().postgresPort(), List.of(), Map.of())) {
            assertTrue(sidecar.output().lines().noneMatch(l -> l.startsWith(WARNING)), sidecar.output());
        }
    }

    /** Bit 0 of SigIgn in /proc/self/status is SIGHUP (Linux); elsewhere assume it is not ignored. */
    private static boolean sighupIgnoredHere() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        return Files.readAllLines(status).stream()
                .filter(l -> l.startsWith("SigIgn:"))
                .anyMatch(l -> (Long.parseUnsignedLong(l.substring("SigIgn:".length()).trim(), 16) & 1L) != 0);
    }
}
