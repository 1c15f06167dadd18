package io.pgmlsidecar.ml.store;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded model held by {@link ModelCache}, reference-counted so that eviction never closes native
 * resources under a running inference: eviction {@linkplain #retire() retires} the model, and it is
 * closed when the last user {@linkplain #release() releases} it.
 */
public abstract class CachedModel implements AutoCloseable, Weighed {
    private final AtomicInteger users = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean retired;

    /** Approximate memory held (bytes), the cache's weight. */
    @Override
    public abstract long weightBytes();

    /** Frees native resources; called exactly once. */
    protected abstract void doClose();

    /** Takes a reference; false when the model is retired (the caller must get a fresh one). */
    public final boolean acquire() {
        if (retired) return false;
        users.incrementAndGet();
        if (retired) {
            release();
            return false;
        }
        return true;
    }

    public final void release() {
        if (users.decrementAndGet() == 0 && retired) closeOnce();
    }

    /** Marks the model evicted; it closes now if unused, else when the last user releases it. */
    public final void retire() {
        retired = true;
        if (users.get() == 0) closeOnce();
    }

    public final boolean isRetired() {
        return retired;
    }

    public final boolean isClosed() {
        return closed.get();
    }

    private void closeOnce() {
        if (closed.compareAndSet(false, true)) doClose();
    }

    @Override
    public void close() {
        retire();
    }
}
