package io.pgmlsidecar.ml.remote;

import java.time.Duration;

/**
 * How one call may use an endpoint, with {@code azure_ml.invoke}'s meaning: each attempt may take at most
 * {@code attemptTimeout} (null: no limit); up to {@code maxAttempts} attempts in all (1: no retry), the next
 * one {@code retryDelay} after a retryable failure unless the endpoint asks for another wait (Retry-After);
 * {@code deadline} (null: none) bounds the whole call, queueing and waits included.
 */
public record CallOptions(Duration attemptTimeout, int maxAttempts, Duration retryDelay, Duration deadline) {

    /** {@code azure_ml.invoke}'s defaults: no timeout, one attempt, 1 s between attempts. */
    public static final CallOptions DEFAULTS = new CallOptions(null, 1, Duration.ofSeconds(1), null);

    public CallOptions {
        if (maxAttempts < 1) {
            throw RemoteCallException.configuration("max_attempts must be at least 1, got " + maxAttempts,
                    "max_attempts counts every attempt: 1 means no retry");
        }
        if (retryDelay == null || retryDelay.isNegative()) {
            throw RemoteCallException.configuration("retry_delay_ms must not be negative", "use 0 or more");
        }
        if (attemptTimeout != null && !attemptTimeout.isPositive()) {
            throw RemoteCallException.configuration("timeout_ms must be positive, got " + attemptTimeout.toMillis(),
                    "leave timeout_ms NULL for no timeout");
        }
        if (deadline != null && !deadline.isPositive()) {
            throw RemoteCallException.configuration("the call deadline must be positive", "leave it unset for none");
        }
    }

    /** From SQL-style arguments, where null means the default ({@code timeout_ms, max_attempts, retry_delay_ms}). */
    public static CallOptions of(Integer timeoutMs, Integer maxAttempts, Integer retryDelayMs) {
        return new CallOptions(
                timeoutMs == null ? null : Duration.ofMillis(timeoutMs),
                maxAttempts == null ? DEFAULTS.maxAttempts() : maxAttempts,
                retryDelayMs == null ? DEFAULTS.retryDelay() : Duration.ofMillis(retryDelayMs),
                null);
    }

    public CallOptions withDeadline(Duration total) {
        return new CallOptions(attemptTimeout, maxAttempts, retryDelay, total);
    }
}
