package io.pgmlsidecar.ml.store.hub;

import java.io.IOException;

/** A hub request or download that failed; the message says what to do. {@code status} is 0 for non-HTTP failures. */
public final class HubException extends IOException {
    private final int status;

    public HubException(int status, String message) {
        super(message);
        this.status = status;
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    public int status() {
        return status;
    }
}
