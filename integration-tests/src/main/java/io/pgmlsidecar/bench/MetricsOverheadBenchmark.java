package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the proxy's metrics cost on the relay path: pgbench -S through a sidecar without
 * {@code --metrics-listen} (no observer, no byte counter) and through one with it, both in front of
 * the same PostgreSQL, alternating within each round so drift hits both alike. Prints the median
 * TPS of each and their ratio per client count.
 *
 * <p>Arguments: {@code [seconds-per-run] [rounds] [jar]}; defaults 10, 5, deploy/target/pgml-sidecar.jar.
 */
public final class MetricsOverheadBenchmark {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path jar = Path.of(args.length > 2 ? args[2] : "deploy/target/pgml-sidecar.jar");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(Files.createTempDirectory("pgml-bench-metrics"), 0)) {
            try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
                 var s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS bench");
                s.execute("CREATE DATABASE bench");
            }
            Process init = new ProcessBuilder("pgbench", "-h", "127.0.0.1", "-p", Integer.toString(pg.port()), "-U", "postgres",
                    "-i", "-q", "-s", "10", "bench").inheritIO().start();
            if (init.waitFor() != 0) {
                throw new IllegalStateException("pgbench -i failed");
            }
            int plainPort = ProxyBenchmark.freePort();
            int meteredPort = ProxyBenchmark.freePort();
            Process plain = ProxyBenchmark.startSidecar(jar, plainPort, pg.port(), "--no-warm-up");
            Process metered = ProxyBenchmark.startSidecar(jar, meteredPort, pg.port(), "--no-warm-up",
                    "--metrics-listen", "127.0.0.1:" + ProxyBenchmark.freePort());
            try {
                for (int port : new int[] {plainPort, meteredPort}) {
                    PgbenchRun.run(port, "bench", "prepared", 4, Math.max(3, seconds / 2), List.of("-S")); // JIT warm-up
                }
                List<String> rows = new ArrayList<>();
                for (int clients : new int[] {1, 10}) {
                    double[] without = new double[rounds];
                    double[] with = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        boolean plainFirst = r % 2 == 0;
                        double first = PgbenchRun.run(plainFirst ? plainPort : meteredPort, "bench", "prepared", clients, seconds, List.of("-S")).tps();
                        double second = PgbenchRun.run(plainFirst ? meteredPort : plainPort, "bench", "prepared", clients, seconds, List.of("-S")).tps();
                        without[r] = plainFirst ? first : second;
                        with[r] = plainFirst ? second : first;
                    }
                    rows.add(String.format("| prepared -S | %d | %.0f | %.0f | %.3f | %s / %s |", clients, median(without), median(with),
                            median(with) / median(without), Arrays.toString(round(without)), Arrays.toString(round(with))));
                }
                System.out.println("| workload | clients | TPS without metrics (median) | TPS with --metrics-listen (median) | ratio | rounds |");
                System.out.println("|---|---|---|---|---|---|");
                rows.forEach(System.out::println);
            } finally {
                plain.destroy();
                metered.destroy();
                plain.waitFor();
                metered.waitFor();
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long[] round(double[] v) {
        return Arrays.stream(v).mapToLong(Math::round).toArray();
    }
}
