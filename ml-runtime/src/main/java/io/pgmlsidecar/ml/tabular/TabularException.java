package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.MlException;

/**
 * An error of the tabular engine. The message is written for the end user (it reaches SQL clients as
 * the ErrorResponse message); {@link #hint()} is an optional suggestion (the ErrorResponse hint).
 */
public class TabularException extends MlException {
    private final String hint;

    public TabularException(String message) {
        this(message, (String) null);
    }

    public TabularException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    public TabularException(String message, Throwable cause) {
        super(message, cause);
        this.hint = null;
    }

    /** A suggestion for the user, or null. */
    public String hint() {
        return hint;
    }
}
