package io.pgmlsidecar.spark.job;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.SparkSession;

/** The SparkSession of a job (training or embedding), with the operator's Spark settings applied. */
final class JobSessions {
    private JobSessions() {}

    /**
     * The job's session: the sidecar's Spark settings ({@code --spark-conf}) over the defaults (spark-defaults.conf, which
     * SparkSubmit turned into system properties, and {@code -Dspark.*} driver options) over this job's app name and UI
     * choice — spark-submit's order of precedence; the shuffle partitions follow the job's read ranges unless configured.
     */
    static SparkSession create(String master, String appName, int partitions, JsonNode conf) {
        SparkSession.Builder builder = SparkSession.builder().master(master);
        org.apache.spark.SparkConf defaults = new org.apache.spark.SparkConf();
        if (!defaults.contains("spark.app.name")) {
            builder.appName(appName);
        }
        if (!defaults.contains("spark.ui.enabled")) {
            builder.config("spark.ui.enabled", "false");
        }
        if (!defaults.contains("spark.sql.shuffle.partitions")) {
            builder.config("spark.sql.shuffle.partitions", Integer.toString(partitions));
        }
        conf.fields().forEachRemaining(e -> builder.config(e.getKey(), e.getValue().asText()));
        return builder.getOrCreate();
    }
}
