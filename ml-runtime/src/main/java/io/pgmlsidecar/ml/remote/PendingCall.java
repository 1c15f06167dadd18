package io.pgmlsidecar.ml.remote;

import java.util.concurrent.CompletableFuture;

/** One caller's call while the scheduler works on it; a batched call has one part per distinct input. */
final class PendingCall {
    static final long NO_DEADLINE = Long.MAX_VALUE;

    final CallOptions options;
    /** {@link System#nanoTime()} by which the call must end, or {@link #NO_DEADLINE}. */
    final long deadline;
    final CompletableFuture<Object[]> done = new CompletableFuture<>();
    private final Object[] parts;
    private int missing;

    PendingCall(CallOptions options, int parts) {
        this.options = options;
        this.deadline = options.deadline() == null ? NO_DEADLINE : System.nanoTime() + options.deadline().toNanos();
        this.parts = new Object[parts];
        this.missing = parts;
    }

    /** Records one part's result; the call completes with the last. */
    synchronized void deliver(int part, Object result) {
        parts[part] = result;
        if (--missing == 0) done.complete(parts);
    }

    void fail(RemoteCallException e) {
        done.completeExceptionally(e);
    }

    boolean finished() {
        return done.isDone();
    }

    /** Whether the call still has {@code waitNanos} left before its deadline. */
    boolean canWait(long now, long waitNanos) {
        return deadline == NO_DEADLINE || deadline - now > waitNanos;
    }
}
