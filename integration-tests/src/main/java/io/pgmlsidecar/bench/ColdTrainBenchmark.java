package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * The first {@code pgml.train} after the sidecar starts, with the launcher's background warm-up
 * (default) and without ({@code --no-warm-up}): each round starts a fresh sidecar of each kind, in
 * alternating order, waits the same few seconds after "ready" (a user connecting), then times the
 * first and the second training of digits with xgboost through pgjdbc. Medians and ratios.
 *
 * <p>Arguments: {@code [rounds (5)] [jar] [seconds to wait after ready (3)]}.
 */
public final class ColdTrainBenchmark {

    private static final String TRAIN = "SELECT * FROM pgml.train('bench_cold', 'classification', 'pgml.digits', 'target', 'xgboost')";

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path jar = Path.of(args.length > 1 ? args[1] : "deploy/target/pgml-sidecar.jar");
        int waitSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(Files.createTempDirectory("pgml-bench-cold"), 0)) {
            loadDigits(jar, pg.port());
            double[][] warm = new double[2][rounds];
            double[][] cold = new double[2][rounds];
            for (int r = 0; r < rounds; r++) {
                boolean warmFirst = r % 2 == 0;
                double[] a = firstTwoTrainings(jar, pg.port(), waitSeconds, !warmFirst);
                double[] b = firstTwoTrainings(jar, pg.port(), waitSeconds, warmFirst);
                double[] w = warmFirst ? a : b;
                double[] c = warmFirst ? b : a;
                for (int k = 0; k < 2; k++) {
                    warm[k][r] = w[k];
                    cold[k][r] = c[k];
                }
                System.out.printf("round %d: with warm-up first %.3f s, second %.3f s; without: first %.3f s, second %.3f s%n",
                        r + 1, w[0], w[1], c[0], c[1]);
            }
            double wf = Measure.median(warm[0]);
            double ws = Measure.median(warm[1]);
            double cf = Measure.median(cold[0]);
            double cs = Measure.median(cold[1]);
            System.out.println();
            System.out.println("| sidecar | first train s | second train s | first / second |");
            System.out.println("|---|---|---|---|");
            System.out.printf("| with warm-up (default) | %.3f | %.3f | %.2f |%n", wf, ws, wf / ws);
            System.out.printf("| --no-warm-up | %.3f | %.3f | %.2f |%n", cf, cs, cf / cs);
            System.out.printf("first train with / without warm-up: **%.2f**%n", wf / cf);
        }
    }

    /** Loads digits through a sidecar of its own, so no measured sidecar has run anything before. */
    private static void loadDigits(Path jar, int pgPort) throws Exception {
        int port = ProxyBenchmark.freePort();
        Process sidecar = ProxyBenchmark.startSidecar(jar, port, pgPort, "--no-warm-up");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('digits')").close();
        } finally {
            sidecar.destroy();
            sidecar.waitFor();
        }
    }

    /** Starts a sidecar, waits, trains twice; returns both times in seconds. */
    private static double[] firstTwoTrainings(Path jar, int pgPort, int waitSeconds, boolean noWarmUp) throws Exception {
        int port = ProxyBenchmark.freePort();
        Process sidecar = noWarmUp ? ProxyBenchmark.startSidecar(jar, port, pgPort, "--no-warm-up")
                : ProxyBenchmark.startSidecar(jar, port, pgPort);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            Thread.sleep(waitSeconds * 1000L);
            double[] times = new double[2];
            for (int k = 0; k < 2; k++) {
                long t0 = System.nanoTime();
                s.executeQuery(TRAIN).close();
                times[k] = Measure.seconds(t0);
            }
            return times;
        } finally {
            sidecar.destroy();
            sidecar.waitFor();
        }
    }
}
