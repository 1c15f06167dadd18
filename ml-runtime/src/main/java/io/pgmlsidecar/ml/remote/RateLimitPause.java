package io.pgmlsidecar.ml.remote;

import java.time.Duration;

/**
 * The pause of an endpoint after a 429: until the server's Retry-After (capped), else an exponential
 * backoff that grows with each 429 in a row and starts over after a success.
 */
final class RateLimitPause {
    static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_WAIT = Duration.ofSeconds(60);

    private final Runnable onStart;
    private long until = System.nanoTime();
    private int streak;

    /** @param onStart told each time a pause starts (not when one is extended) */
    RateLimitPause(Runnable onStart) {
        this.onStart = onStart;
    }

    /**
     * Starts or extends the pause after a 429 ({@code retryAfter} null: none sent; {@code retryDelay} is the
     * backoff's base); returns the wait left from now.
     */
    synchronized Duration pause(Duration retryAfter, Duration retryDelay) {
        long now = System.nanoTime();
        boolean alreadyPaused = until - now > 0; // 429s to requests sent before the pause add no step
        if (!alreadyPaused) {
            streak++;
            onStart.run();
        }
        Duration pause = retryAfter != null ? capped(retryAfter) : backoff(retryDelay, streak);
        if (now + pause.toNanos() - until > 0) until = now + pause.toNanos();
        return Duration.ofNanos(until - now);
    }

    synchronized void succeeded() {
        streak = 0;
    }

    /** Nanoseconds left of the pause (0 or less: not paused). */
    synchronized long remainingNanos() {
        return until - System.nanoTime();
    }

    /** A server's Retry-After, at most {@link #MAX_WAIT}: a broken or hostile value must not stall every session. */
    static Duration capped(Duration retryAfter) {
        return retryAfter.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : retryAfter;
    }

    /** {@code base × 2^(streak-1)}, between {@link #MIN_BACKOFF} and {@link #MAX_WAIT}. */
    static Duration backoff(Duration base, int streak) {
        long nanos = Math.max(base.toNanos(), MIN_BACKOFF.toNanos());
        for (int i = 1; i < streak && nanos < MAX_WAIT.toNanos(); i++) nanos *= 2;
        return Duration.ofNanos(Math.min(nanos, MAX_WAIT.toNanos()));
    }
}
