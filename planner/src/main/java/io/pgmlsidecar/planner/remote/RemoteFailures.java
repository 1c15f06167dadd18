package io.pgmlsidecar.planner.remote;

import io.pgmlsidecar.ml.remote.RemoteCallException;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;

/** A failed remote call as a PostgreSQL error: SQLSTATE by kind, the attempts in DETAIL; never the key. */
public final class RemoteFailures {
    private RemoteFailures() {}

    public static PgException error(RemoteCallException e) {
        String state = switch (e.kind()) {
            case TIMEOUT, CANCELLED -> "57014";
            case CONNECT -> "08001";
            case CONFIGURATION -> "22023";
            case REFUSED_ADDRESS -> "42501";
            default -> "38000";
        };
        return new PgException(new PgError("ERROR", state, e.getMessage(), detail(e), e.hint(), 0));
    }

    static String detail(RemoteCallException e) {
        return "attempts: " + e.attempts() + (e.httpStatus().isPresent() ? ", HTTP status " + e.httpStatus().getAsInt() : "");
    }
}
