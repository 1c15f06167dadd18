package io.pgmlsidecar.ml.tabular;

import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Progress and cancellation hooks handed to every fit. {@code cancelled} is polled between boosting
 * rounds, epochs, trees, iterations and search candidates; when it answers true the fit stops with a
 * {@link TrainingCancelledException}. Progress events are rate limited per phase to about one every
 * {@code minIntervalMillis} (first and last always pass).
 */
public final class FitContext {
    private static final FitContext NONE = new FitContext(e -> { }, () -> false, 0);

    private final Consumer<ProgressEvent> listener;
    private final BooleanSupplier cancelled;
    private final long minIntervalNanos;
    private volatile long lastEmit;

    public FitContext(Consumer<ProgressEvent> listener, BooleanSupplier cancelled, long minIntervalMillis) {
        this.listener = Objects.requireNonNull(listener);
        this.cancelled = Objects.requireNonNull(cancelled);
        this.minIntervalNanos = minIntervalMillis * 1_000_000L;
    }

    public FitContext(Consumer<ProgressEvent> listener, BooleanSupplier cancelled) {
        this(listener, cancelled, 1000);
    }

    public static FitContext none() {
        return NONE;
    }

    /** Throws {@link TrainingCancelledException} when the caller has cancelled. */
    public void checkCancelled() {
        if (cancelled.getAsBoolean()) {
            throw new TrainingCancelledException();
        }
    }

    /** A phase message; always delivered. */
    public synchronized void phase(String phase, String message) {
        lastEmit = System.nanoTime();
        listener.accept(new ProgressEvent(phase, message, -1, -1));
    }

    /**
     * A step of a long loop; checks cancellation, and reports at most every min interval. May be called
     * from several threads (forests fit trees in parallel); the listener is never called concurrently.
     */
    public void step(String phase, String what, long step, long total) {
        checkCancelled();
        long now = System.nanoTime();
        if (step == 1 || step == total || now - lastEmit >= minIntervalNanos) {
            synchronized (this) {
                lastEmit = now;
                listener.accept(new ProgressEvent(phase, what + " " + step + (total > 0 ? "/" + total : ""), step, total));
            }
        }
    }

    /** A context with the same cancellation but no progress events (used for the search's fold fits). */
    public FitContext quiet() {
        return new FitContext(e -> { }, cancelled, 0);
    }
}
