package io.pgmlsidecar.planner.transform;

import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.concurrent.locks.LockSupport;

/**
 * Turns a client's cancel request into an interrupt of the thread running a model, which the
 * runtime checks between generation steps. The session only raises a flag, and a long generation
 * must not have to poll the session itself.
 */
final class CancelWatch implements AutoCloseable {
    private static final long POLL_NANOS = 20_000_000L;

    private final Thread watcher;
    private volatile boolean done;

    private CancelWatch(SessionContext session, Thread worker) {
        this.watcher = Thread.ofVirtual().name("cancel-watch").start(() -> {
            while (!done) {
                if (session.cancelRequested()) {
                    worker.interrupt();
                    return;
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
        });
    }

    static CancelWatch start(SessionContext session) {
        return new CancelWatch(session, Thread.currentThread());
    }

    /** Stops watching and clears an interrupt the watch may have raised, so the session's later I/O is unaffected. */
    @Override
    public void close() {
        done = true;
        LockSupport.unpark(watcher);
        boolean joined = false;
        while (!joined) {
            try {
                watcher.join();
                joined = true;
            } catch (InterruptedException e) {
                // the watch's own interrupt; wait for it to end, then clear the flag
            }
        }
        Thread.interrupted();
    }
}
