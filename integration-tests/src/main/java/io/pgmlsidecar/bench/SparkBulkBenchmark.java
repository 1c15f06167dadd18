package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.transformers.TransformService;
import io.pgmlsidecar.planner.PgmlInterceptor;
import io.pgmlsidecar.planner.SidecarServices;
import io.pgmlsidecar.planner.bulk.BulkEngines;
import io.pgmlsidecar.planner.functions.RuntimeEmbeddingModels;
import io.pgmlsidecar.planner.tabular.engine.TrainingEngines;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.ProxyServer;
import io.pgmlsidecar.spark.engine.SparkBulkEngine;
import io.pgmlsidecar.spark.engine.SparkSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (issue 20): a bulk UPDATE over a generated table in the sidecar ({@code "engine": "local"}) vs on Spark
 * ({@code "engine": "spark"}, local[2] by default), one sidecar in this JVM in front of an embedded PostgreSQL; each run
 * on a freshly made table. {@code embed}: {@code SET e = pgml.embed('all-MiniLM-L6-v2', body)};
 * {@code classify}: {@code SET result = pgml.transform(text-classification, args, ARRAY[body])} with a classifier
 * tuned here on the bundled MiniLM (a model doing real work, as TransformBenchmark makes it). Prints one Markdown row
 * per (rows, engine): wall seconds, rows/s, for Spark the job (driver start, read, inference, staging; from its NOTICE)
 * and the rest (the privilege check, the row check and the UPDATE from the staging table), and Spark's time over local's.
 * <p>Arguments: {@code spark-job-classpath embed|classify sizes (comma-separated) [master (local[2])] [partitions (2)]}.
 */
public final class SparkBulkBenchmark {

    private static final Pattern JOB = Pattern.compile("Spark (?:embedded|classified) (\\d+) rows in ([\\d.]+) s");
    private static final String MODEL = "sentence-transformers/all-MiniLM-L6-v2";
    private static final String CLASSIFIER = "bench/minilm-reviews";

    public static void main(String[] args) throws Exception {
        String classpath = args[0];
        boolean classify = switch (args[1]) {
            case "embed" -> false;
            case "classify" -> true;
            default -> throw new IllegalArgumentException("the task is embed or classify, not " + args[1]);
        };
        String[] sizes = args[2].split(",");
        String master = args.length > 3 ? args[3] : "local[2]";
        String partitions = args.length > 4 ? args[4] : "2";
        Path data = Files.createTempDirectory("pgml-bench-spark-bulk");
        Path models = data.resolve("models");
        MlConfig config = MlConfig.builder().modelsDir(models).hubDownload(false).build();
        if (classify) {
            TransformBenchmark.tuneMiniLm(config, models.resolve(CLASSIFIER));
        }
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data.resolve("pg"), 0);
             EmbeddingService embeddings = new EmbeddingService(config); TransformService transforms = new TransformService(config)) {
            io.pgmlsidecar.catalog.CatalogMigrator.migrate("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
            Map<String, String> settings = new HashMap<>(Map.of("pgml.spark.master", master, "pgml.spark.job-classpath", classpath,
                    "pgml.spark.jdbc-url", "jdbc:postgresql://127.0.0.1:" + pg.port() + "/", "pgml.spark.partitions", partitions,
                    "pgml.spark.driver-memory", System.getProperty("bench.driverMemory", "2g")));
            SparkBulkEngine engine = new SparkBulkEngine(SparkSettings.from(settings::get).orElseThrow());
            ProxyServer sidecar = new ProxyServer(ProxyConfig.of("127.0.0.1", 0, "127.0.0.1", pg.port()).withEventLoopThreads(2),
                    new PgmlInterceptor(SidecarServices.builder().embeddings(new RuntimeEmbeddingModels(embeddings)).transforms(transforms)
                            .trainingEngines(TrainingEngines.NONE).bulkEngines(BulkEngines.of(engine)).build())).start();
            try (Connection direct = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
                 Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres", "postgres", "");
                 Statement d = direct.createStatement(); Statement s = c.createStatement()) {
                // the model loaded once, as a running sidecar has it
                if (classify) {
                    createTable(d, true, 8);
                    s.executeUpdate(update(true, "local"));
                } else {
                    embeddings.load(MODEL);
                }
                System.out.println("| rows | engine | wall s | rows/s | job s | rest s | spark / local |");
                System.out.println("|---|---|---|---|---|---|---|");
                for (String size : sizes) {
                    int n = Integer.parseInt(size.trim());
                    double local = run(d, s, classify, n, "local", Double.NaN);
                    run(d, s, classify, n, "spark", local);
                }
            } finally {
                sidecar.close();
            }
        }
    }

    private static void createTable(Statement direct, boolean classify, int n) throws Exception {
        direct.execute("DROP TABLE IF EXISTS bench_bulk");
        String body = classify
                // product reviews of TransformBenchmark's kind: 4 frames, 10 things, 7 praises and 7 complaints
                ? "format((ARRAY['The %s %s.', 'I ordered this %s and it %s.', 'Our new %s %s!', 'Honestly, the %s %s.'])[i % 4 + 1], "
                        + "(ARRAY['kettle', 'bike lamp', 'printer', 'rain jacket', 'tent', 'router', 'mixer', 'monitor', 'drill', 'suitcase'])[i % 10 + 1], "
                        + "(ARRAY['works beautifully', 'is excellent quality', 'exceeded what I hoped for', 'is sturdy and reliable', "
                        + "'was a great buy', 'makes every day easier', 'is simply wonderful', 'broke within a week', 'is a waste of money', "
                        + "'arrived cracked', 'stopped working quickly', 'feels cheap and flimsy', 'was a real disappointment', "
                        + "'is awful to use'])[i % 14 + 1])"
                : "'document ' || i || ' is about ' || (ARRAY['cats', 'dogs', 'databases', 'the sea', 'spark clusters', 'tea', 'rivers'])[i % 7 + 1]"
                        + " || repeat(' and more words', i % 9)";
        direct.execute("CREATE TABLE bench_bulk AS SELECT i AS id, " + body + " AS body, NULL::real[] AS e, NULL::jsonb AS result "
                + "FROM generate_series(1, " + n + ") i");
        direct.execute("ANALYZE bench_bulk");
    }

    private static String update(boolean classify, String engine) {
        return classify
                ? "UPDATE bench_bulk SET result = pgml.transform('{\"task\": \"text-classification\", \"model\": \"" + CLASSIFIER
                        + "\"}'::jsonb, '{\"engine\": \"" + engine + "\"}', ARRAY[body])"
                : "UPDATE bench_bulk SET e = pgml.embed('" + MODEL + "', body, '{\"engine\": \"" + engine + "\"}')";
    }

    private static double run(Statement direct, Statement s, boolean classify, int n, String engine, double localWall) throws Exception {
        createTable(direct, classify, n);
        s.clearWarnings();
        long t0 = System.nanoTime();
        int updated = s.executeUpdate(update(classify, engine));
        double wall = (System.nanoTime() - t0) / 1e9;
        if (updated != n) {
            throw new IllegalStateException("UPDATE " + updated + " of " + n);
        }
        double job = Double.NaN;
        for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
            Matcher m = JOB.matcher(w.getMessage());
            if (m.find()) {
                job = Double.parseDouble(m.group(2));
            }
        }
        boolean spark = "spark".equals(engine);
        System.out.println(String.format(Locale.ROOT, "| %,d | %s | %.1f | %,.0f | %s | %s | %s |", n, engine, wall, n / wall,
                spark ? String.format(Locale.ROOT, "%.1f", job) : "–", spark ? String.format(Locale.ROOT, "%.1f", wall - job) : "–",
                spark ? String.format(Locale.ROOT, "%.2f", wall / localWall) : "1"));
        return wall;
    }
}
