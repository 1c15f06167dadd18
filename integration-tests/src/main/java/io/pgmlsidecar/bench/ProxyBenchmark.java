package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * pgbench -S (scale 10) direct to PostgreSQL vs through the sidecar vs through PgBouncer
 * (session mode) vs through a bare byte relay (socat), measured side by side in one run: for each
 * protocol and client count the targets run one after another, so drift on a noisy machine hits
 * all alike. The bare relay shows what the extra hop alone costs on this host.
 *
 * <p>Arguments: {@code [seconds-per-run] [jar]}; defaults 20 and deploy/target/pgml-sidecar.jar.
 */
public final class ProxyBenchmark {

    /**
     * -Dbench.clients=1,10 and -Dbench.protocols=prepared narrow the run; -Dbench.sidecarArgs adds sidecar
     * options; -Dbench.rounds=N measures each point N times in rotating order and reports medians;
     * -Dbench.baselineJar=PATH runs a second sidecar from that jar (an earlier build, say) as one more
     * target in the same rotation, and prints the two sidecars' ratio per point; -Dbench.targets=direct,sidecar,baseline
     * leaves out the others (of direct, sidecar, pgbouncer, relay, baseline) to measure more rounds in the time.
     */
    private static final List<String> TARGET_NAMES = List.of("direct", "sidecar", "pgbouncer", "relay", "baseline");

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path jar = Path.of(args.length > 1 ? args[1] : "deploy/target/pgml-sidecar.jar");
        int[] clientCounts = java.util.Arrays.stream(System.getProperty("bench.clients", "1,10,50").split(","))
                .mapToInt(Integer::parseInt).toArray();
        String[] protocols = System.getProperty("bench.protocols", "simple,prepared").split(",");
        int rounds = Integer.getInteger("bench.rounds", 1);
        List<String> measured = List.of(System.getProperty("bench.targets", String.join(",", TARGET_NAMES)).split(","));
        Path data = Files.createTempDirectory("pgml-bench-pg");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0)) {
            int pgPort = pg.port();
            createDatabase(pgPort);
            run(List.of("pgbench", "-h", "127.0.0.1", "-p", Integer.toString(pgPort), "-U", "postgres", "-i", "-q",
                    "-s", "10", "bench"));
            int sidecarPort = freePort();
            Process sidecar = startSidecar(jar, sidecarPort, pgPort);
            String baselineJar = System.getProperty("bench.baselineJar", "").trim();
            Integer baselinePort = baselineJar.isEmpty() ? null : freePort();
            Process baseline = baselineJar.isEmpty() ? null : startSidecar(Path.of(baselineJar), baselinePort, pgPort);
            try (PgBouncerProcess bouncer = PgBouncerProcess.start(pgPort, freePort(), 60);
                 BareRelayProcess relay = BareRelayProcess.startIfInstalled(pgPort, freePort())) {
                // warm the JIT of the sidecar before measuring
                PgbenchRun.run(sidecarPort, "bench", "prepared", 4, Math.max(5, seconds / 2), List.of("-S"));
                PgbenchRun.run(sidecarPort, "bench", "simple", 4, Math.max(5, seconds / 2), List.of("-S"));
                if (baselinePort != null) {
                    PgbenchRun.run(baselinePort, "bench", "prepared", 4, Math.max(5, seconds / 2), List.of("-S"));
                    PgbenchRun.run(baselinePort, "bench", "simple", 4, Math.max(5, seconds / 2), List.of("-S"));
                }
                List<String> rows = new ArrayList<>();
                List<String> baselineRows = new ArrayList<>();
                for (String protocol : protocols) {
                    for (int clients : clientCounts) {
                        // each round runs the four targets one after the other, starting at a different one,
                        // so no target always runs first after an idle pause or last after the others' load
                        // direct, sidecar, PgBouncer, bare relay (absent when socat is not installed)
                        // and the baseline sidecar when one is given
                        Integer[] ports = {pgPort, sidecarPort, bouncer.port, relay == null ? null : relay.port, baselinePort};
                        int targets = ports.length;
                        for (int t = 0; t < targets; t++) {
                            if (!measured.contains(TARGET_NAMES.get(t))) {
                                ports[t] = null;
                            }
                        }
                        double[][] tps = new double[targets][rounds];
                        double[][] latency = new double[targets][rounds];
                        // CPU the two sidecar processes spent per transaction, µs: less shaken by a busy machine than TPS
                        Process[] processes = {null, sidecar, null, null, baseline};
                        double[][] cpuPerTx = new double[targets][rounds];
                        for (int r = 0; r < rounds; r++) {
                            for (int k = 0; k < targets; k++) {
                                int target = (k + r) % targets;
                                if (ports[target] == null) {
                                    continue;
                                }
                                long cpuBefore = processes[target] == null ? 0 : Measure.cpuMicros(processes[target].pid());
                                PgbenchRun run = PgbenchRun.run(ports[target], "bench", protocol, clients, seconds, List.of("-S"));
                                if (processes[target] != null) {
                                    cpuPerTx[target][r] = (Measure.cpuMicros(processes[target].pid()) - cpuBefore) / (run.tps() * seconds);
                                }
                                tps[target][r] = run.tps();
                                latency[target][r] = run.latencyMs();
                            }
                            System.out.printf("%s %d clients, round %d: direct %.0f, sidecar %.0f, PgBouncer %.0f, bare relay %s, baseline sidecar %s TPS%n",
                                    protocol, clients, r + 1, tps[0][r], tps[1][r], tps[2][r],
                                    relay == null ? "-" : String.format("%.0f", tps[3][r]),
                                    baselinePort == null ? "-" : String.format("%.0f", tps[4][r]));
                        }
                        double direct = Measure.median(tps[0]);
                        double viaSidecar = Measure.median(tps[1]);
                        double viaBouncer = Measure.median(tps[2]);
                        Double viaRelay = relay == null ? null : Measure.median(tps[3]);
                        String row = String.format("| %s | %d | %.0f | %.3f | %.0f | %.3f | %.0f | %.3f | %s | **%.2f** | %.2f | %s |",
                                protocol, clients, direct, Measure.median(latency[0]), viaSidecar, Measure.median(latency[1]),
                                viaBouncer, Measure.median(latency[2]), viaRelay == null ? "-" : String.format("%.0f", viaRelay),
                                viaSidecar / direct, viaBouncer / direct,
                                viaRelay == null ? "-" : String.format("%.2f", viaRelay / direct));
                        rows.add(row);
                        System.out.println(row);
                        if (baselinePort != null) {
                            double viaBaseline = Measure.median(tps[4]);
                            double cpuBaseline = Measure.median(cpuPerTx[4]);
                            double cpuSidecar = Measure.median(cpuPerTx[1]);
                            baselineRows.add(String.format("| %s | %d | %.0f | %.0f | %.0f | %.2f | %.2f | **%.2f** | %.1f | %.1f | **%.2f** |",
                                    protocol, clients, direct, viaBaseline, viaSidecar, viaBaseline / direct, viaSidecar / direct,
                                    viaSidecar / viaBaseline, cpuBaseline, cpuSidecar, cpuSidecar / cpuBaseline));
                        }
                    }
                }
                System.out.println();
                System.out.println("| protocol | clients | direct TPS | direct ms | sidecar TPS | sidecar ms | PgBouncer TPS | PgBouncer ms "
                        + "| bare relay TPS | sidecar/direct | PgBouncer/direct | bare relay/direct |");
                System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
                rows.forEach(System.out::println);
                if (baselinePort != null) {
                    System.out.println();
                    System.out.println("| protocol | clients | direct TPS | baseline sidecar TPS | sidecar TPS | baseline/direct "
                            + "| sidecar/direct | sidecar/baseline TPS | baseline CPU µs/tx | sidecar CPU µs/tx | sidecar/baseline CPU |");
                    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
                    baselineRows.forEach(System.out::println);
                }
            } finally {
                sidecar.destroy();
                sidecar.waitFor();
                if (baseline != null) {
                    baseline.destroy();
                    baseline.waitFor();
                }
            }
        }
    }

    private static void createDatabase(int port) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS bench");
            s.execute("CREATE DATABASE bench");
        }
    }

    static Process startSidecar(Path jar, int port, int upstreamPort, String... extraArgs) throws IOException, InterruptedException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(javaBin, "--enable-native-access=ALL-UNNAMED",
                "-jar", jar.toString(), "--listen", "127.0.0.1:" + port,
                "--upstream", "postgresql://postgres@127.0.0.1:" + upstreamPort + "/postgres"));
        command.addAll(java.util.List.of(extraArgs));
        // -Dbench.sidecarArgs="--busy-poll 0": options under comparison, for every benchmark program
        String more = System.getProperty("bench.sidecarArgs", "").trim();
        if (!more.isEmpty()) {
            command.addAll(java.util.List.of(more.split("\\s+")));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.contains("pgml-sidecar") && line.contains("ready")) {
                Thread.ofVirtual().start(() -> {
                    try {
                        reader.transferTo(Writer.nullWriter());
                    } catch (IOException ignored) {
                        // the process ended
                    }
                });
                return p;
            }
        }
        throw new IOException("sidecar did not start");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("failed: " + cmd);
        }
    }

    /** Waits up to {@code millis} until something accepts connections on the port. */
    static boolean awaitListening(int port, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (reachable(port)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    static boolean reachable(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
