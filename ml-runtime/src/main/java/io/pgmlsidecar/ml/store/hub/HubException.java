package io.pgmlsidecar.ml.store.hub;

import java.io.IOException;

/** A hub request or download that failed; the message says what to do. {@code status} is 0 for non-HTTP failures. */
public final class HubException extends IOException {
    /** What a refused redirect's message ends with: how the operator allows the target. */
    public static final String REDIRECT_HINT = "Redirects off the hub's host may go to public addresses only, unless the "
            + "sidecar's operator allows the target: --remote-allow (e.g. 10.0.0.0/8, cdn.internal).";

    private final int status;
    private final boolean redirectRefused;

    public HubException(int status, String message) {
        this(status, message, null, false);
    }

    public HubException(String message, Throwable cause) {
        this(0, message, cause, false);
    }

    private HubException(int status, String message, Throwable cause, boolean redirectRefused) {
        super(message, cause);
        this.status = status;
        this.redirectRefused = redirectRefused;
    }

    /** The hub (or a host it redirected to) redirected to an address the sidecar does not connect to. */
    public static HubException redirectRefused(String message) {
        return new HubException(0, message, null, true);
    }

    /** Whether a redirect was refused by the address policy (a refusal, not an outage: not worth a retry). */
    public boolean redirectRefused() {
        return redirectRefused;
    }

    public int status() {
        return status;
    }
}
