package io.pgmlsidecar.ml.remote;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Spaces request starts evenly at {@code 1 / perSecond} apart (no bursts), so that any one-second window
 * sees at most {@code perSecond + 1} starts, whatever window the provider counts in.
 */
final class RateLimiter {
    private final long intervalNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private long nextSlot = System.nanoTime();

    /** @param perSecond requests per second; 0 for no limit */
    RateLimiter(double perSecond) {
        this.intervalNanos = perSecond <= 0 ? 0 : (long) Math.ceil(1e9 / perSecond);
    }

    boolean limited() {
        return intervalNanos > 0;
    }

    /** Waits for the next free slot and takes it. */
    void acquire() throws InterruptedException {
        if (intervalNanos == 0) return;
        long slot;
        lock.lock();
        try {
            slot = Math.max(nextSlot, System.nanoTime());
            nextSlot = slot + intervalNanos;
        } finally {
            lock.unlock();
        }
        long wait = slot - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
    }
}
