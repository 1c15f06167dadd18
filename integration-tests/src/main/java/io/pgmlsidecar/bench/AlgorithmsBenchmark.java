package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import io.pgmlsidecar.ml.tabular.TabularTrainer;
import io.pgmlsidecar.ml.tabular.Task;
import io.pgmlsidecar.ml.tabular.TrainRequest;
import io.pgmlsidecar.ml.tabular.TrainResult;
import io.pgmlsidecar.ml.tabular.algorithms.Algorithms;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark: every supported algorithm trained on digits and breast_cancer (classification) and diabetes
 * (regression) through the sidecar ({@code pgml.train} over pgjdbc, the score read back from
 * {@code pgml.models.metrics}) next to the engine alone in this JVM (TabularTrainer on the same rows, same
 * split), alternating, medians. Prints one Markdown row per (dataset, algorithm): seconds both ways, their
 * ratio, and the test score both ways (accuracy for classification, r2 for regression).
 * <p>Arguments: {@code [jar] [rounds (3)] [algorithms, comma-separated (all)]}.
 */
public final class AlgorithmsBenchmark {
    private record Case(String dataset, String label, Task task) {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "deploy/target/pgml-sidecar.jar");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<String> only = args.length > 2 && !args[2].isBlank() ? List.of(args[2].split(",")) : List.of();
        List<Case> cases = List.of(new Case("digits", "target", Task.CLASSIFICATION),
                new Case("breast_cancer", "malignant", Task.CLASSIFICATION), new Case("diabetes", "target", Task.REGRESSION));
        Path data = Files.createTempDirectory("pgml-bench-algorithms");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0)) {
            int port = ProxyBenchmark.freePort();
            Process sidecar = ProxyBenchmark.startSidecar(jar, port, pg.port());
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                 Statement s = c.createStatement()) {
                System.out.println("| dataset | algorithm | sidecar s | engine s | sidecar / engine | score via sidecar | score engine |");
                System.out.println("|---|---|---|---|---|---|---|");
                for (Case k : cases) {
                    s.executeQuery("SELECT * FROM pgml.load_dataset('" + k.dataset() + "')").close();
                    Dataset d = PgmlDatasets.toDataset(PgmlDatasets.load(k.dataset(), null), k.label());
                    String metric = k.task() == Task.CLASSIFICATION ? "accuracy" : "r2";
                    for (String algorithm : Algorithms.supported().get(k.task())) {
                        if (!only.isEmpty() && !only.contains(algorithm)) {
                            continue;
                        }
                        row(s, k, d, algorithm, metric, rounds);
                    }
                }
            } finally {
                sidecar.destroy();
                sidecar.waitFor();
            }
        }
    }

    private static void row(Statement s, Case k, Dataset d, String algorithm, String metric, int rounds) throws Exception {
        double[] viaSidecar = new double[rounds];
        double[] engine = new double[rounds];
        double sidecarScore = Double.NaN;
        double engineScore = Double.NaN;
        String project = "bench " + k.dataset() + " " + algorithm;
        String failure = null;
        // one untimed round each way first: class loading, native libraries, the JIT
        for (int round = -1; round < rounds; round++) {
            try {
                long t0 = System.nanoTime();
                s.executeQuery("SELECT * FROM pgml.train('" + project + "', '" + k.task().pgName() + "', 'pgml." + k.dataset() + "', '"
                        + k.label() + "', '" + algorithm + "')").close();
                double t = Measure.seconds(t0);
                try (ResultSet rs = s.executeQuery("SELECT (m.metrics ->> '" + metric + "')::float8 FROM pgml.models m "
                        + "JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = '" + project + "' ORDER BY m.id DESC LIMIT 1")) {
                    rs.next();
                    sidecarScore = rs.getDouble(1);
                }
                t0 = System.nanoTime();
                // pgml.train's defaults: test_size 0.25, test_sampling 'stratified' (the builder's defaults too)
                TrainResult r = TabularTrainer.train(d, TrainRequest.builder(k.task()).algorithm(algorithm).build());
                double e = Measure.seconds(t0);
                engineScore = ((Number) r.metrics().get(metric)).doubleValue();
                if (round >= 0) {
                    viaSidecar[round] = t;
                    engine[round] = e;
                }
            } catch (Exception e) {
                failure = e.getMessage().lines().findFirst().orElse("");
                break;
            }
        }
        if (failure != null) {
            System.out.printf("| %s | %s | failed: %s | | | | |%n", k.dataset(), algorithm, failure);
            return;
        }
        double via = Measure.median(viaSidecar);
        double alone = Measure.median(engine);
        System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.2f | %.4f | %.4f |%n", k.dataset(), algorithm, via, alone, via / alone,
                sidecarScore, engineScore);
    }
}
