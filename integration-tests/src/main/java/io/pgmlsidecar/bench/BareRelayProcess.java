package io.pgmlsidecar.bench;

import java.io.IOException;
import java.util.List;

/**
 * socat (Debian package) relaying TCP bytes to PostgreSQL without reading them: the floor of what
 * any proxy costs on this host, the extra loopback hop with nothing done in it.
 */
final class BareRelayProcess implements AutoCloseable {

    private final Process process;
    final int port;

    private BareRelayProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The relay, or null when socat is not installed (the benchmark then leaves its column out). */
    static BareRelayProcess startIfInstalled(int upstreamPort, int port) throws IOException, InterruptedException {
        if (new ProcessBuilder("sh", "-c", "command -v socat").start().waitFor() != 0) {
            System.out.println("socat is not installed: no bare-relay column (bin/install-test-clients installs it)");
            return null;
        }
        Process p = new ProcessBuilder(List.of("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,fork,reuseaddr,nodelay",
                "TCP:127.0.0.1:" + upstreamPort + ",nodelay")).redirectErrorStream(true).start();
        if (ProxyBenchmark.awaitListening(port, 5_000)) {
            return new BareRelayProcess(p, port);
        }
        p.destroyForcibly();
        throw new IOException("socat did not start");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
