package io.pgmlsidecar.spark.engine;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line and environment of one driver JVM. Without a Spark home: {@code java … -cp <job-classpath> TrainJob
 * <master>}. With one, what {@code $SPARK_HOME/bin/spark-submit --master <master> --deploy-mode client --class TrainJob}
 * runs, without its shell scripts (the sidecar picks the JDK and the heap): {@code java … -cp
 * <job-classpath>:<conf dir>:<home>/jars/* org.apache.spark.deploy.SparkSubmit …}, with {@code SPARK_HOME} and
 * {@code SPARK_CONF_DIR} set so that SparkSubmit reads that conf directory's {@code spark-defaults.conf}.
 */
record DriverCommand(List<String> command, Map<String, String> environment) {

    static final String JOB_CLASS = "io.pgmlsidecar.spark.job.TrainJob";
    static final String SUBMIT_CLASS = "org.apache.spark.deploy.SparkSubmit";

    /**
     * What must hold before a job's role or JVM is made — a job class path, a usable Spark home, a reachable Kubernetes
     * API server when the master is one — then the JDK the driver runs on.
     */
    static Path checkedJava(SparkSettings settings) {
        if (settings.jobClasspath() == null) {
            throw new io.pgmlsidecar.proxy.intercept.PgException("55000", "--spark-job-classpath is not set: the sidecar cannot start the Spark driver",
                    "Set --spark-job-classpath (PGML_SIDECAR_SPARK_JOB_CLASSPATH) to the spark-job jar and Spark's jars (see spark-engine/README.md).");
        }
        checkHome(settings);
        if (KubernetesMaster.is(settings.master())) {
            KubernetesMaster.check(settings.master(), settings.sparkConf());
        }
        return JavaForSpark.find(settings.javaHome());
    }

    /** A Spark home without {@code jars/}: the error for the client, before anything is started. */
    static void checkHome(SparkSettings settings) {
        if (settings.sparkHome() != null && !Files.isDirectory(settings.sparkHome().resolve("jars"))) {
            throw new io.pgmlsidecar.proxy.intercept.PgException("55000", "the Spark home " + settings.sparkHome() + " has no jars/ directory",
                    "Point --spark-home (PGML_SIDECAR_SPARK_HOME) at a Spark 3.5 distribution: the directory holding bin/spark-submit and jars/.");
        }
    }

    static DriverCommand of(SparkSettings settings, Path java, Path dir) {
        return of(settings, java, dir, JOB_CLASS);
    }

    /** The driver program {@code mainClass} (TrainJob, BulkJob). */
    static DriverCommand of(SparkSettings settings, Path java, Path dir, String mainClass) {
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx" + settings.driverMemory(),
                "-XX:+IgnoreUnrecognizedVMOptions", "-Djdk.reflect.useDirectMethodHandle=false",
                "-Dspark.local.dir=" + dir, "-Djava.io.tmpdir=" + dir));
        command.addAll(JavaForSpark.MODULE_OPTIONS);
        if (!settings.javaOptions().isEmpty()) {
            command.addAll(List.of(settings.javaOptions().split("\\s+")));
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (settings.sparkHome() == null) {
            command.addAll(List.of("-cp", settings.jobClasspath(), mainClass, settings.master()));
            return new DriverCommand(command, env);
        }
        Path home = settings.sparkHome().toAbsolutePath();
        Path conf = settings.confDirectory().toAbsolutePath();
        // spark-class's order: the conf directory, then the distribution's jars; the job's own jars first
        String classpath = settings.jobClasspath() + File.pathSeparator + conf + File.pathSeparator + home.resolve("jars") + File.separator + "*";
        command.addAll(List.of("-cp", classpath, SUBMIT_CLASS, "--master", settings.master(), "--deploy-mode", "client",
                "--class", mainClass, "spark-internal", settings.master()));
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_CONF_DIR", conf.toString());
        return new DriverCommand(command, env);
    }
}
