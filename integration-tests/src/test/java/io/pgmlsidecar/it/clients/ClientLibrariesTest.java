package io.pgmlsidecar.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.ExternalProcess;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.planner.SidecarVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scripted sessions of psycopg2 (Debian's /usr/bin/python3) and node-postgres through the
 * sidecar; the scripts under integration-tests/clients check every answer themselves and exit
 * non-zero on the first mismatch.
 */
class ClientLibrariesTest {

    private static final Path CLIENTS = Path.of("clients").toAbsolutePath();
    private final TestCluster cluster = TestCluster.get();

    @Test
    void psycopg2Session() throws Exception {
        Path script = CLIENTS.resolve("python/psycopg2_session.py");
        assertTrue(Files.isRegularFile(script), script + " missing");
        assertTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "/usr/bin/python3 with psycopg2 is needed (bin/install-test-clients)");
        ExternalProcess.Result r = ExternalProcess.run(
                List.of("/usr/bin/python3", script.toString(), Integer.toString(cluster.sidecarPort()), SidecarVersion.get()),
                Map.of("PYTHONDONTWRITEBYTECODE", "1", "PYTHONPATH", ""), CLIENTS.resolve("python"), Duration.ofSeconds(120));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("psycopg2 session OK", r.lastLine(), r.toString());
    }

    @Test
    void nodePostgresSession() throws Exception {
        Path dir = CLIENTS.resolve("node");
        assertTrue(Files.isDirectory(dir.resolve("node_modules/pg")),
                "node-postgres is not installed in " + dir + " (run bin/install-test-clients)");
        ExternalProcess.Result r = ExternalProcess.run(
                List.of("node", "pg_session.js", Integer.toString(cluster.sidecarPort()), SidecarVersion.get()),
                Map.of(), dir, Duration.ofSeconds(120));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("node-postgres session OK", r.lastLine(), r.toString());
    }
}
