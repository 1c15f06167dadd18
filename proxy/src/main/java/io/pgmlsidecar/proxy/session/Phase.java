package io.pgmlsidecar.proxy.session;

/**
 * Where a client session stands. The conversation phases (READY to COPY_OUT) are read off the
 * relayed messages on the fast path; the others are entered by the session itself. The allowed
 * moves between them are {@link ProtocolState}'s to check.
 */
public enum Phase {
    /** Before the StartupMessage: SSLRequest, GSSENCRequest and CancelRequest are answered here. */
    STARTUP,
    /** The StartupMessage went upstream; the authentication exchange is relayed until the first ReadyForQuery. */
    AUTHENTICATING,
    /** Every relayed message has its reply and no extended-protocol batch is open. */
    READY,
    /** A simple Query (or FunctionCall) awaits its ReadyForQuery. */
    IN_QUERY,
    /** Extended-protocol messages since the last Sync, or their replies, are outstanding. */
    IN_EXTENDED_BATCH,
    /** PostgreSQL sent CopyInResponse and the client has not ended the copy yet. */
    COPY_IN,
    /** PostgreSQL sent CopyOutResponse and not yet CopyDone. */
    COPY_OUT,
    /** The intercept worker owns the session: the client is not read, backend messages queue for the worker. */
    INTERCEPTED,
    /** Shutting down: what runs is finished on the fast path, then the session closes. */
    DRAINING,
    /** The client connection is gone. */
    CLOSED;

    /** Read off the relayed messages: the fast path relays in these. */
    boolean isConversation() {
        return ordinal() >= READY.ordinal() && ordinal() <= COPY_OUT.ordinal();
    }
}
