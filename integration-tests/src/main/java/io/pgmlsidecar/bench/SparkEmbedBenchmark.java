package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.MlConfig;
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
 * Benchmark (issue 20): {@code UPDATE bench_embed SET e = pgml.embed('all-MiniLM-L6-v2', body)} over a generated table,
 * in the sidecar ({@code "engine": "local"}) vs on Spark ({@code "engine": "spark"}, local[2] by default), one sidecar in
 * this JVM in front of an embedded PostgreSQL; each run on a freshly made table. Prints one Markdown row per (rows,
 * engine): wall seconds, rows/s, for Spark the job (driver start, read, embedding, staging; from its NOTICE) and the
 * rest (the privilege check, the row check and the UPDATE from the staging table), and Spark's time over local's.
 * <p>Arguments: {@code spark-job-classpath sizes (comma-separated) [master (local[2])] [partitions (2)]}.
 */
public final class SparkEmbedBenchmark {

    private static final Pattern JOB = Pattern.compile("Spark embedded (\\d+) rows in ([\\d.]+) s");
    private static final String MODEL = "sentence-transformers/all-MiniLM-L6-v2";

    public static void main(String[] args) throws Exception {
        String classpath = args[0];
        String[] sizes = args[1].split(",");
        String master = args.length > 2 ? args[2] : "local[2]";
        String partitions = args.length > 3 ? args[3] : "2";
        Path data = Files.createTempDirectory("pgml-bench-spark-embed");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0);
             EmbeddingService embeddings = new EmbeddingService(MlConfig.defaults())) {
            io.pgmlsidecar.catalog.CatalogMigrator.migrate("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
            Map<String, String> settings = new HashMap<>(Map.of("pgml.spark.master", master, "pgml.spark.job-classpath", classpath,
                    "pgml.spark.jdbc-url", "jdbc:postgresql://127.0.0.1:" + pg.port() + "/", "pgml.spark.partitions", partitions,
                    "pgml.spark.driver-memory", System.getProperty("bench.driverMemory", "2g")));
            SparkBulkEngine engine = new SparkBulkEngine(SparkSettings.from(settings::get).orElseThrow());
            ProxyServer sidecar = new ProxyServer(ProxyConfig.of("127.0.0.1", 0, "127.0.0.1", pg.port()).withEventLoopThreads(2),
                    new PgmlInterceptor(SidecarServices.builder().embeddings(new RuntimeEmbeddingModels(embeddings))
                            .trainingEngines(TrainingEngines.NONE).bulkEngines(BulkEngines.of(engine)).build())).start();
            try (Connection direct = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
                 Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres", "postgres", "");
                 Statement d = direct.createStatement(); Statement s = c.createStatement()) {
                embeddings.load(MODEL); // loaded once, as a running sidecar has it
                System.out.println("| rows | engine | wall s | rows/s | job s | rest s | spark / local |");
                System.out.println("|---|---|---|---|---|---|---|");
                for (String size : sizes) {
                    int n = Integer.parseInt(size.trim());
                    double local = run(d, s, n, "local", Double.NaN);
                    run(d, s, n, "spark", local);
                }
            } finally {
                sidecar.close();
            }
        }
    }

    private static double run(Statement direct, Statement s, int n, String engine, double localWall) throws Exception {
        direct.execute("DROP TABLE IF EXISTS bench_embed");
        direct.execute("CREATE TABLE bench_embed AS SELECT i AS id, 'document ' || i || ' is about '"
                + " || (ARRAY['cats', 'dogs', 'databases', 'the sea', 'spark clusters', 'tea', 'rivers'])[i % 7 + 1]"
                + " || repeat(' and more words', i % 9) AS body, NULL::real[] AS e FROM generate_series(1, " + n + ") i");
        direct.execute("ANALYZE bench_embed");
        s.clearWarnings();
        long t0 = System.nanoTime();
        int updated = s.executeUpdate("UPDATE bench_embed SET e = pgml.embed('" + MODEL + "', body, '{\"engine\": \"" + engine + "\"}')");
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
