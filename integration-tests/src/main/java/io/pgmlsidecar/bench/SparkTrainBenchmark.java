package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import io.pgmlsidecar.it.spark.StandaloneCluster;
import io.pgmlsidecar.planner.PgmlInterceptor;
import io.pgmlsidecar.planner.SidecarServices;
import io.pgmlsidecar.planner.tabular.engine.TrainingEngines;
import io.pgmlsidecar.proxy.ProxyConfig;
import io.pgmlsidecar.proxy.ProxyServer;
import io.pgmlsidecar.spark.engine.SparkSettings;
import io.pgmlsidecar.spark.engine.SparkTrainingEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark (issue 20): pgml.train xgboost on a generated table (20 float4 features, a binary label), the local engine
 * vs the Spark engine (local[2] by default), one sidecar in this JVM in front of an embedded PostgreSQL, the two
 * trainings of a size one after the other. Prints one Markdown row per (rows, engine): wall seconds, rows/s, and the
 * split — for Spark the job's partitioned read and its fit (from its NOTICEs) and the rest (driver start, the
 * session's read, split, scoring, store); for local the fit and scoring (pgml.models metrics) and the rest (the
 * session's read, split, store).
 * <p>Arguments: {@code spark-job-classpath sizes (comma-separated) [rounds per training (50)] [master (local[2])]};
 * {@code -Dbench.driverMemory} (4g), {@code -Dbench.javaOptions} (the driver's {@code pgml.spark.java-options}).
 * The master {@code standalone[N]} starts a standalone master and N one-core workers on loopback for the run
 * ({@code StandaloneCluster}, {@code -Dbench.workerMemory}, default 3g; executors get 1 GB less), their executors
 * loading the job's classes from the same build.
 */
public final class SparkTrainBenchmark {

    private static final Pattern READ = Pattern.compile("Spark read (\\d+) rows in (\\d+) ranges in ([\\d.]+) s");
    private static final Pattern FIT = Pattern.compile("Spark trained \\d+ rounds on \\d+ rows in ([\\d.]+) s");

    public static void main(String[] args) throws Exception {
        String classpath = args[0];
        String[] sizes = args[1].split(",");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        String master = args.length > 3 ? args[3] : "local[2]";
        Matcher standalone = Pattern.compile("standalone\\[(\\d+)]").matcher(master);
        StandaloneCluster cluster = null;
        String javaOptions = System.getProperty("bench.javaOptions");
        if (standalone.matches()) {
            int workers = Integer.parseInt(standalone.group(1));
            int workerGb = Integer.parseInt(System.getProperty("bench.workerMemory", "3g").replace("g", ""));
            cluster = StandaloneCluster.start(classpath, workers, workerGb + "g");
            master = cluster.masterUrl;
            String jobClasses = classpath.substring(0, classpath.indexOf(java.io.File.pathSeparatorChar));
            javaOptions = "-Dspark.executor.extraClassPath=" + jobClasses + " -Dspark.executor.memory=" + (workerGb - 1) + "g -Dspark.cores.max="
                    + workers + " -Dspark.driver.host=127.0.0.1" + (javaOptions == null ? "" : " " + javaOptions);
            System.out.println("standalone cluster " + master + ": " + workers + " workers, 1 core and " + workerGb + " GB each");
        }
        Path data = Files.createTempDirectory("pgml-bench-spark");
        try (StandaloneCluster ignored = cluster; EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0)) {
            io.pgmlsidecar.catalog.CatalogMigrator.migrate("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
            Map<String, String> settings = new HashMap<>(Map.of("pgml.spark.master", master, "pgml.spark.job-classpath", classpath,
                    "pgml.spark.jdbc-url", "jdbc:postgresql://127.0.0.1:" + pg.port() + "/", "pgml.spark.partitions", "2",
                    "pgml.spark.driver-memory", System.getProperty("bench.driverMemory", "4g")));
            if (javaOptions != null) {
                settings.put("pgml.spark.java-options", javaOptions); // e.g. executors' class path on a cluster
            }
            SparkTrainingEngine engine = new SparkTrainingEngine(SparkSettings.from(settings::get).orElseThrow());
            ProxyServer sidecar = new ProxyServer(ProxyConfig.of("127.0.0.1", 0, "127.0.0.1", pg.port()).withEventLoopThreads(2),
                    new PgmlInterceptor(SidecarServices.builder().trainingEngines(TrainingEngines.of(engine)).build())).start();
            try (Connection direct = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
                 Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres", "postgres", "");
                 Statement d = direct.createStatement(); Statement s = c.createStatement()) {
                System.out.println("| rows | engine | wall s | rows/s | job read s | fit s | scoring s | rest s | accuracy |");
                System.out.println("|---|---|---|---|---|---|---|---|---|");
                for (String size : sizes) {
                    int n = Integer.parseInt(size.trim());
                    d.execute("DROP TABLE IF EXISTS bench_spark");
                    d.execute("SELECT setseed(0.42)");
                    d.execute("CREATE TABLE bench_spark AS SELECT " + features() + ", 0::int AS y FROM generate_series(1, " + n + ")");
                    d.execute("UPDATE bench_spark SET y = (f1 + f2 * f3 - f4 + 0.2 * random() > 0.6)::int");
                    d.execute("VACUUM FULL ANALYZE bench_spark"); // the UPDATE left every row in a new place: compact, in ctid order
                    for (String which : new String[] {"local", "spark"}) {
                        run(s, n, which, rounds);
                    }
                }
            } finally {
                sidecar.close();
            }
        }
    }

    private static String features() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            b.append(i > 1 ? ", " : "").append("random()::float4 AS f").append(i);
        }
        return b.toString();
    }

    private static void run(Statement s, int n, String engine, int rounds) throws Exception {
        String project = "bench spark " + n + " " + engine;
        String hyper = "{\"n_estimators\": " + rounds + ", \"max_depth\": 6" + ("spark".equals(engine) ? ", \"engine\": \"spark\"" : "") + "}";
        s.clearWarnings();
        long t0 = System.nanoTime();
        s.executeQuery("SELECT * FROM pgml.train('" + project + "', 'classification', 'bench_spark', 'y', 'xgboost', '" + hyper + "')").close();
        double wall = (System.nanoTime() - t0) / 1e9;
        double jobRead = Double.NaN;
        double jobFit = Double.NaN;
        for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
            Matcher r = READ.matcher(w.getMessage());
            if (r.find()) {
                jobRead = Double.parseDouble(r.group(3));
            }
            Matcher f = FIT.matcher(w.getMessage());
            if (f.find()) {
                jobFit = Double.parseDouble(f.group(1));
            }
        }
        double fit;
        double score;
        double accuracy;
        try (ResultSet rs = s.executeQuery("SELECT (metrics->>'fit_time')::float8, (metrics->>'score_time')::float8, "
                + "(metrics->>'accuracy')::float8 FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = '"
                + project + "' ORDER BY m.id DESC LIMIT 1")) {
            rs.next();
            fit = rs.getDouble(1);
            score = rs.getDouble(2);
            accuracy = rs.getDouble(3);
        }
        double fitShown = "spark".equals(engine) ? jobFit : fit;
        double rest = wall - fit - score - ("spark".equals(engine) ? jobRead : 0);
        System.out.println(String.format(Locale.ROOT, "| %,d | %s | %.1f | %,.0f | %s | %.1f | %.2f | %.1f | %.4f |", n, engine, wall, n / wall,
                "spark".equals(engine) ? String.format(Locale.ROOT, "%.1f", jobRead) : "–", fitShown, score, rest, accuracy));
    }
}
