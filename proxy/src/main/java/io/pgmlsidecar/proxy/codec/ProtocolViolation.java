package io.pgmlsidecar.proxy.codec;

/** A peer broke message framing; the connection is closed after telling the client why. */
public class ProtocolViolation extends RuntimeException {
    public ProtocolViolation(String message) {
        super(message, null, false, false);
    }
}
