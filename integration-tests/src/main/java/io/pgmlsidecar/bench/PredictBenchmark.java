package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import io.pgmlsidecar.ml.tabular.TabularModel;
import io.pgmlsidecar.ml.tabular.TabularTrainer;
import io.pgmlsidecar.ml.tabular.Task;
import io.pgmlsidecar.ml.tabular.TrainRequest;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;
import io.pgmlsidecar.ml.tabular.split.TestSampling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * pgml.predict through the sidecar: pgbench TPS of {@code SELECT pgml.predict('p', ARRAY[10 floats])}
 * (XGBoost, 100 trees) vs {@code SELECT 1} through the sidecar, vs the same prediction in-process;
 * batch prediction of N rows in the SELECT list (S2) in rows/s; time to train digits with xgboost
 * through the sidecar vs the tabular engine in-process on the same data. One run, side by side.
 *
 * <p>Arguments: {@code [batch rows (100000)] [jar] [seconds per pgbench run (10)]}.
 */
public final class PredictBenchmark {

    public static void main(String[] args) throws Exception {
        int batchRows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path jar = Path.of(args.length > 1 ? args[1] : "deploy/target/pgml-sidecar.jar");
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path data = Files.createTempDirectory("pgml-bench-predict");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0)) {
            int port = ProxyBenchmark.freePort();
            Process sidecar = ProxyBenchmark.startSidecar(jar, port, pg.port());
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS bench_rows");
                StringBuilder cols = new StringBuilder();
                StringBuilder gen = new StringBuilder();
                for (int i = 1; i <= 10; i++) {
                    cols.append("f").append(i).append(" real, ");
                    gen.append("random()::real AS f").append(i).append(", ");
                }
                s.execute("CREATE TABLE bench_rows AS SELECT " + gen + "g AS id FROM generate_series(1, " + batchRows + ") g");
                s.execute("ALTER TABLE bench_rows ADD COLUMN y real");
                s.execute("UPDATE bench_rows SET y = f1 * 3 + f2 * f3 - f4 + (f5 > 0.5)::int");
                s.execute("DROP TABLE IF EXISTS bench_train");
                s.execute("CREATE TABLE bench_train AS SELECT f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, y FROM bench_rows LIMIT 5000");
                s.executeQuery("SELECT * FROM pgml.train('bench_predict', 'regression', 'bench_train', 'y', 'xgboost', "
                        + "'{\"n_estimators\": 100}')").close();

                if (!Boolean.getBoolean("bench.trainOnly")) { // -Dbench.trainOnly=true: only the training comparison
                    predictSections(s, port, seconds);
                }

                s.executeQuery("SELECT * FROM pgml.load_dataset('digits')").close();
                var digits = PgmlDatasets.toDataset(PgmlDatasets.load("digits", null), "target");
                // the three alternate: ten warm-up rounds (the sidecar's per-training code paths, run once per
                // statement, are compiled by the JIT over its first trainings, as in any long-running server; they
                // are printed too), then eleven measured rounds, medians (single runs swing by ±20 % here)
                int warmUps = 10, runs = 11;
                double[] viaSidecar = new double[runs], inProcess = new double[runs], xgboostAlone = new double[runs];
                double[] sidecarWarmUp = new double[warmUps];
                for (int round = -warmUps; round < runs; round++) {
                    int run = Math.max(round, 0);
                    long t0 = System.nanoTime();
                    s.executeQuery("SELECT * FROM pgml.train('bench_digits', 'classification', 'pgml.digits', 'target', 'xgboost')").close();
                    viaSidecar[run] = Measure.seconds(t0);
                    if (round < 0) {
                        sidecarWarmUp[round + warmUps] = viaSidecar[run];
                    }
                    t0 = System.nanoTime();
                    TabularTrainer.train(digits, TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost")
                            .testSampling(TestSampling.parse("stratified")).build());
                    inProcess[run] = Measure.seconds(t0);
                    xgboostAlone[run] = xgboostAlone(digits, TrainRequest.builder(Task.CLASSIFICATION).algorithm("xgboost")
                            .testSampling(TestSampling.parse("stratified")).build());
                }
                double via = Measure.median(viaSidecar), engine = Measure.median(inProcess), alone = Measure.median(xgboostAlone);
                System.out.printf("train digits xgboost (medians of %d after %d warm-up rounds): through the sidecar %.3f s, engine in-process %.3f s, XGBoost4J "
                        + "alone on the same training arrays %.3f s; sidecar / XGBoost4J **%.2f**, engine / XGBoost4J %.2f%n", runs, warmUps, via,
                        engine, alone, via / alone, engine / alone);
                System.out.printf("  per round (s), sidecar: %s; XGBoost4J alone: %s; the sidecar's warm-up rounds: %s%n",
                        rounded(viaSidecar), rounded(xgboostAlone), rounded(sidecarWarmUp));
            } finally {
                sidecar.destroy();
                sidecar.waitFor();
            }
        }
    }

    /** pgbench predict vs SELECT 1 at 1 and 10 clients, the in-process single-row rate, and S2 batch prediction. */
    private static void predictSections(Statement s, int port, int seconds) throws Exception {
        String features = randomFeatures(new Random(1));
        Path predictScript = Files.writeString(Files.createTempFile("predict", ".sql"),
                "SELECT pgml.predict('bench_predict', ARRAY[" + features + "]::real[]);\n");
        Path selectOne = Files.writeString(Files.createTempFile("select1", ".sql"), "SELECT 1;\n");
        System.out.println("| clients | SELECT 1 TPS | pgml.predict TPS | predict / SELECT 1 |");
        System.out.println("|---|---|---|---|");
        for (int clients : new int[] {1, 10}) {
            PgbenchRun one = PgbenchRun.run(port, "postgres", "prepared", clients, seconds, List.of("-f", selectOne.toString()));
            PgbenchRun predict = PgbenchRun.run(port, "postgres", "prepared", clients, seconds, List.of("-f", predictScript.toString()));
            System.out.printf("| %d | %.0f | %.0f | **%.2f** |%n", clients, one.tps(), predict.tps(), predict.tps() / one.tps());
        }

        // in-process: the same model, one row per call
        TabularModel model = TabularTrainer.train(PgmlDatasets.toDataset(PgmlDatasets.load("diabetes", null), "target"),
                TrainRequest.builder(Task.REGRESSION).algorithm("xgboost").hyperparams(Map.of("n_estimators", 100)).build()).model();
        double[] x = new double[model.numFeatures()];
        for (int i = 0; i < 20_000; i++) {
            model.predict(x);
        }
        long t0 = System.nanoTime();
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            x[i % x.length] = i * 1e-5;
            model.predict(x);
        }
        System.out.printf("in-process single-row predict (xgboost, 100 trees): %.0f predictions/s%n", n / Measure.seconds(t0));

        t0 = System.nanoTime();
        long count = 0;
        try (ResultSet rs = s.executeQuery("SELECT id, pgml.predict('bench_predict', ARRAY[f1, f2, f3, f4, f5, f6, f7, f8, f9, f10]) "
                + "FROM bench_rows")) {
            while (rs.next()) {
                count++;
            }
        }
        System.out.printf("batch predict in the SELECT list (S2): %d rows in %.2f s = %.0f rows/s%n", count, Measure.seconds(t0), count / Measure.seconds(t0));
    }

    private static String rounded(double[] seconds) {
        return java.util.Arrays.stream(seconds).mapToObj(v -> String.format(java.util.Locale.ROOT, "%.3f", v))
                .collect(java.util.stream.Collectors.joining(" "));
    }

    /** XGBoost4J trained directly on the training split's arrays, with the engine's default parameters. */
    private static double xgboostAlone(io.pgmlsidecar.ml.tabular.data.Dataset data, TrainRequest request) throws Exception {
        int[] rows = TabularTrainer.splitFor(data, request).train();
        var columns = data.columns();
        float[] x = new float[rows.length * columns.size()];
        float[] y = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            for (int c = 0; c < columns.size(); c++) {
                x[i * columns.size() + c] = (float) columns.get(c).value(rows[i]);
            }
            y[i] = (float) data.numericLabel(rows[i]);
        }
        Map<String, Object> params = new java.util.HashMap<>(Map.of("eta", 0.3, "max_depth", 6, "tree_method", "hist",
                "objective", "multi:softprob", "num_class", 10, "verbosity", 0,
                "nthread", Math.max(1, Runtime.getRuntime().availableProcessors() / 2)));
        long t0 = System.nanoTime();
        ml.dmlc.xgboost4j.java.DMatrix m = new ml.dmlc.xgboost4j.java.DMatrix(x, rows.length, columns.size(), Float.NaN);
        m.setLabel(y);
        ml.dmlc.xgboost4j.java.XGBoost.train(m, params, 100, new java.util.HashMap<>(), null, null);
        return Measure.seconds(t0);
    }

    private static String randomFeatures(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            sb.append(i > 0 ? ", " : "").append(String.format("%.3f", r.nextDouble()));
        }
        return sb.toString();
    }

}
