package io.pgmlsidecar.spark.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The Spark engine's settings ({@code pgml.spark.*}, e.g. system properties of the sidecar):
 * <ul>
 *   <li>{@code master}: {@code local[N]}, {@code spark://host:7077}, … — without it there is no Spark engine;</li>
 *   <li>{@code job-classpath}: the driver program's class path (spark-job and Spark's jars); {@code @file} reads it from a file;</li>
 *   <li>{@code java-home}: the JDK that runs the driver (default: the first found that Spark 3.5 runs on, 17–22);</li>
 *   <li>{@code jdbc-url}: how Spark's executors reach PostgreSQL, without the database ({@code jdbc:postgresql://db:5432/});</li>
 *   <li>{@code admin-user}, {@code admin-password}: a role with CREATEROLE that makes the jobs' short-lived login roles;</li>
 *   <li>{@code partitions} (2): JDBC reads and XGBoost workers per job; {@code driver-memory} (1g);
 *       {@code java-options}: more options for the driver's JVM (e.g. {@code -Dspark.executor.memory=4g});
 *       {@code work-dir} (the temporary directory); {@code role-ttl-minutes} (60): the login role's VALID UNTIL;
 *       {@code auto-above-rows} (off): trainings that name no engine and that Spark can take go to Spark when
 *       PostgreSQL estimates the relation at this many rows or more; {@code sweep-interval-seconds} (300; 0: at start
 *       only): how often the jobs of sidecars that are gone are looked for and their roles and staging tables dropped;
 *       {@code executor-wait-seconds} (120; 0: no limit): how long a job with work may have no executor before it
 *       fails (53000);</li>
 *   <li>{@code conf}: Spark settings for the job's SparkSession, {@code KEY=VALUE} lines (spark-submit's {@code --conf});</li>
 *   <li>{@code home}, {@code conf-dir}: a Spark distribution; the driver is then started through {@code SparkSubmit}
 *       (client mode) with its {@code jars/} and its conf directory's {@code spark-defaults.conf}.</li>
 * </ul>
 * The packaged sidecar gives them from its {@code --spark-*} options (flag, environment, file); nothing here reads
 * system properties.
 */
public record SparkSettings(String master, String jobClasspath, Path javaHome, String jdbcUrl, String adminUser, String adminPassword,
                            int partitions, String driverMemory, String javaOptions, Path workDir, int roleTtlMinutes,
                            long automaticAboveRows, Map<String, String> sparkConf, Path sparkHome, Path sparkConfDir,
                            int sweepIntervalSeconds, int executorWaitSeconds) {

    public static final String PREFIX = "pgml.spark.";

    /** The settings, or empty when no master is configured. */
    public static Optional<SparkSettings> from(Function<String, String> settings) {
        Function<String, String> s = k -> {
            String v = settings.apply(PREFIX + k);
            return v == null || v.isBlank() ? null : v.trim();
        };
        if (s.apply("master") == null) {
            return Optional.empty();
        }
        return Optional.of(new SparkSettings(s.apply("master"), classpath(s.apply("job-classpath")),
                s.apply("java-home") == null ? null : Path.of(s.apply("java-home")),
                or(s.apply("jdbc-url"), "jdbc:postgresql://127.0.0.1:5432/"), or(s.apply("admin-user"), "postgres"),
                or(s.apply("admin-password"), ""), Integer.parseInt(or(s.apply("partitions"), "2")), or(s.apply("driver-memory"), "1g"),
                or(s.apply("java-options"), ""), Path.of(or(s.apply("work-dir"), System.getProperty("java.io.tmpdir"))),
                Integer.parseInt(or(s.apply("role-ttl-minutes"), "60")),
                s.apply("auto-above-rows") == null ? Long.MAX_VALUE : Long.parseLong(s.apply("auto-above-rows")),
                confLines(s.apply("conf")), s.apply("home") == null ? null : Path.of(s.apply("home")),
                s.apply("conf-dir") == null ? null : Path.of(s.apply("conf-dir")),
                Integer.parseInt(or(s.apply("sweep-interval-seconds"), "300")),
                Integer.parseInt(or(s.apply("executor-wait-seconds"), "120"))));
    }

    /** {@code KEY=VALUE} lines (blank lines and {@code #} comments skipped) in their order. */
    static Map<String, String> confLines(String text) {
        Map<String, String> conf = new LinkedHashMap<>();
        if (text == null) {
            return conf;
        }
        for (String line : text.split("\\r?\\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("pgml.spark.conf: '" + l + "' is not KEY=VALUE");
            }
            conf.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
        }
        return conf;
    }

    /** Spark's conf directory of the distribution: the one configured, else {@code SPARK_HOME/conf}; null without a home. */
    Path confDirectory() {
        return sparkConfDir != null ? sparkConfDir : sparkHome == null ? null : sparkHome.resolve("conf");
    }

    private static String or(String v, String otherwise) {
        return v == null ? otherwise : v;
    }

    private static String classpath(String v) {
        if (v == null || !v.startsWith("@")) {
            return v;
        }
        try {
            return Files.readString(Path.of(v.substring(1))).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("pgml.spark.job-classpath: cannot read " + v.substring(1), e);
        }
    }

    /** The JDBC URL of {@code database}. */
    String jdbcUrl(String database) {
        return jdbcUrl + (jdbcUrl.endsWith("/") ? "" : "/") + java.net.URLEncoder.encode(database, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
