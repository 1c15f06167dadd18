package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 15's benchmark: over N rows, calls the general strategy serves — {@code ORDER BY
 * pgml.predict(…) DESC LIMIT 25}, {@code WHERE pgml.predict(…) > x}, {@code predict_batch(p,
 * array_agg(…))} — against the same predictions as a SELECT-list item (S2, every row read by the
 * client). Rounds run the four in rotating order; medians and ratios to S2 are printed.
 *
 * <p>Arguments: {@code [rows (100000)] [jar] [rounds (5)]}.
 */
public final class CallsAnywhereBenchmark {

    private static final String FEATURES = "ARRAY[f1, f2, f3, f4, f5, f6, f7, f8, f9, f10]";

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path jar = Path.of(args.length > 1 ? args[1] : "deploy/target/pgml-sidecar.jar");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path data = Files.createTempDirectory("pgml-bench-anywhere");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0)) {
            int port = ProxyBenchmark.freePort();
            Process sidecar = ProxyBenchmark.startSidecar(jar, port, pg.port());
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                StringBuilder gen = new StringBuilder();
                for (int i = 1; i <= 10; i++) {
                    gen.append("random()::real AS f").append(i).append(", ");
                }
                s.execute("DROP TABLE IF EXISTS bench_rows");
                s.execute("SELECT setseed(0.15)");
                s.execute("CREATE TABLE bench_rows AS SELECT " + gen + "g AS id FROM generate_series(1, " + rows + ") g");
                s.execute("CREATE TABLE bench_train AS SELECT f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, "
                        + "f1 * 3 + f2 * f3 - f4 + (f5 > 0.5)::int AS y FROM bench_rows LIMIT 5000");
                s.execute("VACUUM ANALYZE bench_rows");
                s.executeQuery("SELECT * FROM pgml.train('bench_anywhere', 'regression', 'bench_train', 'y', 'xgboost', "
                        + "'{\"n_estimators\": 100}')").close();
                String call = "pgml.predict('bench_anywhere', " + FEATURES + ")";
                String[] names = {"S2 SELECT-list item (client reads every row)", "ORDER BY predict DESC LIMIT 25",
                        "WHERE predict > 3.5", "predict_batch(array_agg(features))"};
                String[] sql = {
                        "SELECT id, " + call + " AS score FROM bench_rows",
                        "SELECT id FROM bench_rows ORDER BY " + call + " DESC LIMIT 25",
                        "SELECT id FROM bench_rows WHERE " + call + " > 3.5",
                        "SELECT pgml.predict_batch('bench_anywhere', array_agg(" + FEATURES + " ORDER BY id)) FROM bench_rows"};
                long[] counts = new long[sql.length];
                double[][] seconds = new double[sql.length][rounds];
                for (int i = 0; i < sql.length; i++) {
                    counts[i] = run(s, sql[i]); // warm-up
                }
                for (int round = 0; round < rounds; round++) {
                    for (int k = 0; k < sql.length; k++) {
                        int q = (k + round) % sql.length;
                        long t0 = System.nanoTime();
                        run(s, sql[q]);
                        seconds[q][round] = Measure.seconds(t0);
                    }
                }
                double s2 = Measure.median(seconds[0]);
                System.out.printf(Locale.ROOT, "%d rows, xgboost 100 trees, medians of %d rounds (rotating order)%n", rows, rounds);
                // on a shared machine the load changes between rounds: the ratio within a round compares like with like
                System.out.println("| statement | rows returned | median s | / S2 | median of per-round / S2 | per round (s) |");
                System.out.println("|---|---|---|---|---|---|");
                for (int q = 0; q < sql.length; q++) {
                    double m = Measure.median(seconds[q]);
                    double[] ratios = new double[rounds];
                    for (int round = 0; round < rounds; round++) {
                        ratios[round] = seconds[q][round] / seconds[0][round];
                    }
                    System.out.printf(Locale.ROOT, "| %s | %d | %.3f | **%.2f** | %.2f | %s |%n", names[q], counts[q], m, m / s2,
                            Measure.median(ratios), rounded(seconds[q]));
                }
                List<String> plan = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("EXPLAIN ANALYZE " + sql[1])) {
                    while (rs.next()) {
                        plan.add(rs.getString(1));
                    }
                }
                System.out.println("EXPLAIN ANALYZE of the ORDER BY statement:");
                plan.forEach(l -> System.out.println("    " + l));
            } finally {
                sidecar.destroy();
                sidecar.waitFor();
            }
        }
    }

    private static long run(Statement s, String sql) throws Exception {
        long n = 0;
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                n++;
            }
        }
        return n;
    }

    private static String rounded(double[] seconds) {
        return java.util.Arrays.stream(seconds).mapToObj(v -> String.format(Locale.ROOT, "%.3f", v))
                .collect(java.util.stream.Collectors.joining(" "));
    }
}
