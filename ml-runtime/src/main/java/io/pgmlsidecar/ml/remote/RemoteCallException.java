package io.pgmlsidecar.ml.remote;

import io.pgmlsidecar.ml.MlException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A failed call to a remote model endpoint. The message and {@link #hint()} are written for the end user
 * (they reach SQL clients); neither ever contains the endpoint's key.
 */
public final class RemoteCallException extends MlException {

    /** What went wrong; {@link #retryable()} says whether another attempt may succeed. */
    public enum Kind {
        TIMEOUT(true),
        CONNECT(true),
        RATE_LIMITED(true),
        CLIENT_ERROR(false),
        SERVER_ERROR(true),
        MALFORMED_RESPONSE(false),
        CONFIGURATION(false),
        /** The endpoint's address is one the sidecar does not call on a role's behalf ({@link EndpointAddressPolicy}). */
        REFUSED_ADDRESS(false),
        /** The caller was interrupted (query cancelled) or the runtime closed. */
        CANCELLED(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    private final Kind kind;
    private final String detail;
    private final String hint;
    private final int httpStatus;
    private final int attempts;
    private final Duration retryAfter;

    RemoteCallException(Kind kind, String detail, String hint, int httpStatus, Duration retryAfter, Throwable cause) {
        this(kind, detail, hint, httpStatus, retryAfter, 1, cause);
    }

    private RemoteCallException(Kind kind, String detail, String hint, int httpStatus, Duration retryAfter,
                                int attempts, Throwable cause) {
        super(attempts > 1 ? detail + " (after " + attempts + " attempts)" : detail, cause);
        this.kind = kind;
        this.detail = detail;
        this.hint = hint;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
        this.attempts = attempts;
    }

    static RemoteCallException configuration(String message, String hint) {
        return new RemoteCallException(Kind.CONFIGURATION, message, hint, 0, null, null);
    }

    /** The same failure, reported after {@code n} attempts of the caller's call. */
    RemoteCallException afterAttempts(int n) {
        return n == attempts ? this : new RemoteCallException(kind, detail, hint, httpStatus, retryAfter, n, getCause());
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return kind.retryable();
    }

    /** The HTTP status of the endpoint's answer, if it answered. */
    public OptionalInt httpStatus() {
        return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /** How many attempts the call made (1 when it was not retried). */
    public int attempts() {
        return attempts;
    }

    /** A suggestion for the user (the ErrorResponse hint); never null. */
    public String hint() {
        return hint;
    }

    /** The wait the endpoint asked for (Retry-After), if it sent one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
