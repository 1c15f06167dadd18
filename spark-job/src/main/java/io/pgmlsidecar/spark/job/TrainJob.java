package io.pgmlsidecar.spark.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The driver program of one pgml.train on Spark. Exchange with the sidecar (see {@link JobProtocol}):
 * <ol>
 *   <li>stdin {@code {"read": {jdbcUrl, user, password, role, relation, label, partitions}}}: the relation is read in
 *       block ranges as the calling role and kept by Spark; stdout {@code {"event": "read", "counts": [rows per range]}};</li>
 *   <li>stdin {@code {"fit": {mask, task, classValues, numFeatures, params, rounds, out}}}: the booster is trained on the
 *       rows the mask keeps and written to {@code out}; stdout {@code {"event": "done"}};</li>
 * </ol>
 * progress lines as stages complete, and on any failure {@code {"event": "error", sqlstate, message, hint}} and exit 1.
 */
public final class TrainJob {
    private TrainJob() {}

    public static void main(String[] args) {
        DriverMain.run(args, (protocol, driver) -> {
            String master = driver.master;
            JsonNode first = protocol.next();
            ReadSpec spec = ReadSpec.of(first.path("read"));
            long t0 = System.nanoTime();
            long[][] ranges = PartitionedRead.plan(spec);
            SparkSession spark = driver.open("pgml.train " + spec.relation(), spec.partitions(), first);
            spark.sparkContext().addSparkListener(new StageProgress(protocol));
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            protocol.progress("Spark " + spark.version() + " at " + master + " (" + launch(spark) + "): reading " + spec.relation()
                    + " in " + ranges.length + " ranges of its blocks as role " + spec.role());
            JavaRDD<PartitionedRead.ReadRow> rows = PartitionedRead.read(sc, spec, ranges).persist(StorageLevel.MEMORY_AND_DISK());
            long[] counts = new long[ranges.length];
            double[] checksums = new double[ranges.length];
            for (double[] r : rows.mapPartitions(TrainJob::rangeSummary, true).collect()) {
                counts[(int) r[0]] = (long) r[1];
                checksums[(int) r[0]] = r[2];
            }
            long[] offsets = new long[ranges.length];
            for (int p = 1; p < counts.length; p++) {
                offsets[p] = offsets[p - 1] + counts[p - 1];
            }
            Map<String, Object> read = new LinkedHashMap<>();
            read.put("event", "read");
            read.put("counts", counts);
            read.put("checksums", checksums);
            read.put("seconds", (System.nanoTime() - t0) / 1e9);
            protocol.send(read);

            JsonNode fit = protocol.next().path("fit");
            long t1 = System.nanoTime();
            byte[] booster = BoosterFit.fit(spark, rows, offsets, fit, ranges.length);
            Files.write(Path.of(fit.path("out").asText()), booster);
            Map<String, Object> done = new LinkedHashMap<>();
            done.put("event", "done");
            done.put("seconds", (System.nanoTime() - t1) / 1e9);
            done.put("bytes", booster.length);
            protocol.send(done);
        });
    }


    /** How the driver was launched and the settings an operator checks first, for the job's first NOTICE. */
    private static String launch(SparkSession spark) {
        org.apache.spark.SparkConf c = spark.sparkContext().getConf();
        boolean submitted = System.getProperty("spark.submit.deployMode") != null;
        return (submitted ? "spark-submit, " + c.get("spark.submit.deployMode") + " mode" : "driver in the sidecar's child JVM")
                + ", app " + c.get("spark.app.name") + ", executor memory " + c.get("spark.executor.memory", "1g");
    }

    /**
     * Rows of a range and an order-sensitive sum of its labels, Σ (i + 1)·(label + 1): the sidecar computes the same over
     * its own read, so a row that moved between the two reads (an UPDATE gives it a new ctid) is caught, not mislabelled.
     */
    private static java.util.Iterator<double[]> rangeSummary(java.util.Iterator<PartitionedRead.ReadRow> it) {
        int partition = -1;
        long n = 0;
        double sum = 0;
        while (it.hasNext()) {
            PartitionedRead.ReadRow r = it.next();
            partition = r.partition();
            sum += (r.index() + 1.0) * (r.label() + 1.0);
            n++;
        }
        return partition < 0 ? java.util.Collections.emptyIterator() : List.of(new double[] {partition, n, sum}).iterator();
    }

    /** Each completed stage as a progress line (the sidecar relays them as NOTICEs). */
    private static final class StageProgress extends SparkListener {
        private final JobProtocol protocol;

        StageProgress(JobProtocol protocol) {
            this.protocol = protocol;
        }

        @Override
        public void onStageCompleted(SparkListenerStageCompleted stage) {
            var info = stage.stageInfo();
            String name = info.name().split(" at ")[0];
            protocol.progress("Spark stage " + info.stageId() + " (" + name + ") done: " + info.numTasks() + " tasks"
                    + (info.failureReason().isDefined() ? ", failed: " + info.failureReason().get() : ""));
        }
    }

}
