package io.pgmlsidecar.spark.job;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.SparkContext;

/**
 * Ends a job that has work but no executor for {@code waitSeconds}: every worker lost, or none with room for the
 * executors it asks for. Spark itself waits for executors without a limit ("Initial job has not accepted any
 * resources"), and the client's statement would hang until someone cancels it. The watchdog cancels Spark's jobs and
 * keeps the failure the client gets, 53000 with what to check. Not for local masters, where the driver runs the tasks.
 */
final class ExecutorWatchdog {
    private final AtomicReference<JobFailure> failure = new AtomicReference<>();

    private ExecutorWatchdog() {}

    static ExecutorWatchdog start(SparkContext sc, String master, int waitSeconds, JobProtocol protocol) {
        ExecutorWatchdog w = new ExecutorWatchdog();
        if (master.startsWith("local") || waitSeconds <= 0) {
            return w;
        }
        Thread t = new Thread(() -> w.watch(sc, waitSeconds, protocol), "pgml-executor-watchdog");
        t.setDaemon(true);
        t.start();
        return w;
    }

    private void watch(SparkContext sc, int waitSeconds, JobProtocol protocol) {
        long without = -1;
        while (!sc.isStopped()) {
            // the status tracker lists the driver too
            int executors = sc.statusTracker().getExecutorInfos().length - 1;
            boolean working = sc.statusTracker().getActiveJobIds().length > 0;
            long now = System.nanoTime();
            if (executors > 0 || !working) {
                without = -1;
            } else if (without < 0) {
                without = now;
                protocol.progress("Spark has no executor for this job; waiting up to " + waitSeconds + " s for one");
            } else if (now - without > waitSeconds * 1_000_000_000L) {
                failure.set(new JobFailure("53000", "no Spark executor ran this job for " + waitSeconds
                        + " s: the cluster lost its workers, or none has room for the executors the job asks for",
                        "Check the Spark master's workers and their free cores and memory against spark.executor.memory and "
                                + "spark.executor.cores (--spark-conf), or raise --spark-executor-wait-seconds."));
                sc.cancelAllJobs();
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** What ended the job: the watchdog's failure when it fired, else {@code t}. */
    Throwable cause(Throwable t) {
        JobFailure f = failure.get();
        return f != null ? f : t;
    }
}
