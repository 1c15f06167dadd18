package io.pgmlsidecar.proxy.intercept;

import io.pgmlsidecar.proxy.codec.PgError;

/** An error that reaches the client as an ErrorResponse with these fields. */
public class PgException extends RuntimeException {

    private final PgError error;

    public PgException(PgError error) {
        super(error.message());
        this.error = error;
    }

    public PgException(PgError error, Throwable cause) {
        super(error.message(), cause);
        this.error = error;
    }

    public PgException(String sqlState, String message, String hint) {
        this(PgError.error(sqlState, message, hint));
    }

    public PgError error() {
        return error;
    }
}
