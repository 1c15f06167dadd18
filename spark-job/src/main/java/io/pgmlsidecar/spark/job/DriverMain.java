package io.pgmlsidecar.spark.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import org.apache.spark.sql.SparkSession;

/**
 * What both driver programs do around their work: the real stdout kept for the protocol (Spark and its libraries print
 * there now and then), one SparkSession watched for executors, any failure sent as the protocol's error event, and the
 * exit code the sidecar reads (0 done, 1 failed).
 */
final class DriverMain {
    private DriverMain() {}

    /** A job's work, given the protocol and the driver that opens its session. */
    interface Work {
        void run(JobProtocol protocol, Driver driver) throws Exception;
    }

    /** The job's master and, once opened, its session and the session's executor watchdog. */
    static final class Driver {
        final String master;
        private final JobProtocol protocol;
        private SparkSession spark;
        private ExecutorWatchdog watchdog;

        private Driver(String master, JobProtocol protocol) {
            this.master = master;
            this.protocol = protocol;
        }

        /** The SparkSession (the sidecar's {@code conf} from {@code first}), watched for executors as {@code first} says. */
        SparkSession open(String appName, int partitions, JsonNode first) {
            spark = JobSessions.create(master, appName, partitions, first.path("conf"));
            watchdog = ExecutorWatchdog.start(spark.sparkContext(), master, first.path("executorWaitSeconds").asInt(120), protocol);
            spark.sparkContext().setLogLevel("WARN");
            return spark;
        }
    }

    /** Runs {@code work} with the master of {@code args} (default {@code local[2]}); does not return. */
    static void run(String[] args, Work work) {
        PrintStream protocolOut = System.out;
        System.setOut(System.err);
        JobProtocol protocol = new JobProtocol(protocolOut);
        Driver driver = new Driver(args.length > 0 ? args[0] : "local[2]", protocol);
        try {
            work.run(protocol, driver);
        } catch (Throwable t) {
            t.printStackTrace();
            protocol.failed(driver.watchdog == null ? t : driver.watchdog.cause(t));
            System.exit(1);
        } finally {
            if (driver.spark != null) {
                driver.spark.stop();
            }
        }
        System.exit(0);
    }
}
