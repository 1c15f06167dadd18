package io.pgmlsidecar.ml;

/** Base class of the runtime's errors. Messages are written for the end user (they reach SQL clients). */
public class MlException extends RuntimeException {
    public MlException(String message) {
        super(message);
    }

    public MlException(String message, Throwable cause) {
        super(message, cause);
    }
}
