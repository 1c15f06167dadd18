package io.pgmlsidecar.proxy.session;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Lets the session's worker wait while the client's socket is full (backpressure). */
final class WritabilityGate {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean writable = true;
    private boolean closed;

    void set(boolean isWritable) {
        lock.lock();
        try {
            writable = isWritable;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Returns false when the connection closed while waiting. */
    boolean awaitWritable() throws InterruptedException {
        lock.lock();
        try {
            while (!writable && !closed) {
                changed.await();
            }
            return !closed;
        } finally {
            lock.unlock();
        }
    }
}
