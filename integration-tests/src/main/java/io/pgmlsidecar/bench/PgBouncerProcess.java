package io.pgmlsidecar.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PgBouncer (Debian package, installed by bin/install-test-clients) in front of a PostgreSQL or a
 * sidecar: session mode for the benchmark, transaction mode for the pooled-topology tests.
 */
public final class PgBouncerProcess implements AutoCloseable {

    private final Process process;
    final int port;

    private PgBouncerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static PgBouncerProcess start(int upstreamPort, int port, int poolSize) throws IOException, InterruptedException {
        return start(upstreamPort, port, poolSize, "session");
    }

    /** @param poolMode session, transaction or statement */
    public static PgBouncerProcess start(int upstreamPort, int port, int poolSize, String poolMode)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("pgbouncer-bench");
        Path ini = dir.resolve("pgbouncer.ini");
        Files.writeString(dir.resolve("userlist.txt"), "\"postgres\" \"\"\n");
        Files.writeString(ini, """
                [databases]
                * = host=127.0.0.1 port=%d
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                auth_type = trust
                admin_users = postgres
                auth_file = %s
                pool_mode = %s
                default_pool_size = %d
                max_client_conn = 1000
                ignore_startup_parameters = extra_float_digits
                logfile = %s
                """.formatted(upstreamPort, port, dir.resolve("userlist.txt"), poolMode, poolSize, dir.resolve("pgbouncer.log")));
        String binary = Files.isExecutable(Path.of("/usr/sbin/pgbouncer")) ? "/usr/sbin/pgbouncer" : "pgbouncer";
        List<String> cmd = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // PgBouncer refuses to run as root
            new ProcessBuilder("chown", "-R", "postgres", dir.toString()).inheritIO().start().waitFor();
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(binary, ini.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        if (ProxyBenchmark.awaitListening(port, 10_000)) {
            return new PgBouncerProcess(p, port);
        }
        p.destroyForcibly();
        throw new IOException("PgBouncer did not start; see " + dir);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
