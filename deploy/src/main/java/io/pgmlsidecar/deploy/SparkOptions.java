package io.pgmlsidecar.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * pgml.train's Spark engine settings as options of the launcher ({@code --spark-*}), so they come from a flag, the
 * environment ({@code PGML_SIDECAR_SPARK_*}) or the file like every other setting (decision 22). Unset options leave
 * spark-engine's defaults; {@link #settings()} hands them to the engine under its {@code pgml.spark.*} names.
 */
final class SparkOptions {

    @Option(names = "--spark-master", description = "Spark master of pgml.train's \"engine\": \"spark\": local[N], spark://HOST:7077, "
            + "k8s://https://HOST:PORT; the driver runs in client mode in a child JVM; off when not set (env PGML_SIDECAR_SPARK_MASTER).")
    String master;

    @Option(names = "--spark-job-classpath", description = "Class path of the Spark driver program: spark-job's jar and its "
            + "dependencies (with --spark-home: only what the Spark distribution lacks, xgboost4j-spark and pgjdbc), @FILE reads it "
            + "from a file (env PGML_SIDECAR_SPARK_JOB_CLASSPATH).")
    String jobClasspath;

    @Option(names = "--spark-home", description = "A Spark distribution: the driver is started as $SPARK_HOME/bin/spark-submit "
            + "would start it in client mode (org.apache.spark.deploy.SparkSubmit, its jars/ on the class path, "
            + "conf/spark-defaults.conf honoured) (env PGML_SIDECAR_SPARK_HOME).")
    String home;

    @Option(names = "--spark-conf-dir", description = "Spark's conf directory with --spark-home (spark-defaults.conf, log4j2.properties; "
            + "default: SPARK_HOME/conf) (env PGML_SIDECAR_SPARK_CONF_DIR).")
    String confDir;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", split = "\\r?\\n", description = "A Spark setting for each job's "
            + "SparkSession, as spark-submit's --conf (repeat the flag; in the file a map, spark-conf: {spark.executor.memory: 4g}; "
            + "in the environment one KEY=VALUE per line); wins over spark-defaults.conf (env PGML_SIDECAR_SPARK_CONF).")
    Map<String, String> conf;

    @Option(names = "--spark-java-home", description = "JDK 17–22 for the driver (default: $SPARK_JAVA_HOME, this JVM if 17–22, "
            + "else the oldest 17–22 JDK under /usr/lib/jvm) (env PGML_SIDECAR_SPARK_JAVA_HOME).")
    String javaHome;

    @Option(names = "--spark-jdbc-url", description = "PostgreSQL as the executors reach it, without the database "
            + "(default jdbc:postgresql://127.0.0.1:5432/) (env PGML_SIDECAR_SPARK_JDBC_URL).")
    String jdbcUrl;

    @Option(names = "--spark-admin-user", description = "Role with CREATEROLE that makes each job's short-lived login role "
            + "(default postgres) (env PGML_SIDECAR_SPARK_ADMIN_USER).")
    String adminUser;

    @Option(names = "--spark-admin-password", description = "Password of --spark-admin-user; masked when printed "
            + "(env PGML_SIDECAR_SPARK_ADMIN_PASSWORD).")
    String adminPassword;

    @Option(names = "--spark-partitions", description = "JDBC read ranges and XGBoost workers per job (default 2) "
            + "(env PGML_SIDECAR_SPARK_PARTITIONS).")
    String partitions;

    @Option(names = "--spark-driver-memory", description = "The driver JVM's -Xmx (default 1g) (env PGML_SIDECAR_SPARK_DRIVER_MEMORY).")
    String driverMemory;

    @Option(names = "--spark-java-options", description = "More options for the driver's JVM (env PGML_SIDECAR_SPARK_JAVA_OPTIONS).")
    String javaOptions;

    @Option(names = "--spark-work-dir", description = "Where each job keeps its files (default: the temporary directory) "
            + "(env PGML_SIDECAR_SPARK_WORK_DIR).")
    String workDir;

    @Option(names = "--spark-role-ttl-minutes", description = "VALID UNTIL of a job's login role (default 60) "
            + "(env PGML_SIDECAR_SPARK_ROLE_TTL_MINUTES).")
    String roleTtlMinutes;

    @Option(names = "--spark-sweep-interval-seconds", description = "How often the login roles and staging tables of Spark jobs "
            + "whose sidecar is gone are dropped (default 300; 0: only at start) (env PGML_SIDECAR_SPARK_SWEEP_INTERVAL_SECONDS).")
    String sweepIntervalSeconds;

    @Option(names = "--spark-executor-wait-seconds", description = "How long a job with work may have no executor (workers lost, "
            + "or none with room) before it fails with 53000 (default 120; 0: no limit) (env PGML_SIDECAR_SPARK_EXECUTOR_WAIT_SECONDS).")
    String executorWaitSeconds;

    @Option(names = "--spark-auto-above-rows", description = "Trainings that name no engine go to Spark when it can train them "
            + "and PostgreSQL estimates the table at this many rows or more; off when not set (env PGML_SIDECAR_SPARK_AUTO_ABOVE_ROWS).")
    String autoAboveRows;

    /** The engine's settings by their {@code pgml.spark.*} names (null where unset). */
    Function<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("master", master);
        s.put("job-classpath", jobClasspath);
        s.put("home", home);
        s.put("conf-dir", confDir);
        s.put("java-home", javaHome);
        s.put("jdbc-url", jdbcUrl);
        s.put("admin-user", adminUser);
        s.put("admin-password", adminPassword);
        s.put("partitions", partitions);
        s.put("driver-memory", driverMemory);
        s.put("java-options", javaOptions);
        s.put("work-dir", workDir);
        s.put("role-ttl-minutes", roleTtlMinutes);
        s.put("auto-above-rows", autoAboveRows);
        s.put("sweep-interval-seconds", sweepIntervalSeconds);
        s.put("executor-wait-seconds", executorWaitSeconds);
        Map<String, String> byName = new LinkedHashMap<>();
        s.forEach((k, v) -> byName.put("pgml.spark." + k, v));
        if (conf != null && !conf.isEmpty()) {
            // the engine's one setting for them: KEY=VALUE lines (a function of names cannot list keys)
            StringBuilder lines = new StringBuilder();
            conf.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
            byName.put("pgml.spark.conf", lines.toString());
        }
        return byName::get;
    }

    /** Spark settings given as system properties, which this launcher no longer reads: named, so they are not lost silently. */
    static java.util.List<String> ignoredSystemProperties() {
        return System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("pgml.spark.")).sorted().toList();
    }
}
