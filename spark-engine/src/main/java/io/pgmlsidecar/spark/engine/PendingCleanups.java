package io.pgmlsidecar.spark.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The jobs' cleanups that run after the client's transaction (the staging table's drop waits for it), which a sidecar
 * stopping gracefully lets finish: a JVM shutdown hook waits for them, at most {@link #WAIT_SECONDS}. What a killed
 * sidecar leaves is the next sweeper's ({@link StaleJobSweeper}).
 */
final class PendingCleanups {
    static final int WAIT_SECONDS = 30;
    private static final Set<Thread> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(PendingCleanups::awaitAll, "pgml-spark-cleanups"));
    }

    private PendingCleanups() {}

    /** Runs {@code cleanup} on a virtual thread of its own, which the stopping JVM waits for. */
    static void start(String name, Runnable cleanup) {
        Thread t = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                cleanup.run();
            } finally {
                RUNNING.remove(Thread.currentThread());
            }
        });
        RUNNING.add(t);
        t.start();
    }

    private static void awaitAll() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (Thread t : RUNNING) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
                    System.getLogger(PendingCleanups.class.getName()).log(System.Logger.Level.WARNING, "a Spark job's cleanup did not finish "
                            + "before the stop; the next sidecar's sweep drops what it leaves");
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
