package io.pgmlsidecar.proxy;

/**
 * What the proxy reports as it works, for whoever counts it (the launcher turns it into metrics).
 * The proxy calls these on its event loops, once per connection or per relayed statement: an
 * implementation must be cheap and must not block. Every method defaults to doing nothing.
 */
public interface ProxyObserver {

    ProxyObserver NONE = new ProxyObserver() {};

    /** A client connection was accepted. */
    default void clientConnected() {}

    /** A client connection closed, for whatever reason. */
    default void clientDisconnected() {}

    /** A client was turned away before it had a session, e.g. {@code upstream_unreachable}. */
    default void clientRefused(String reason) {}

    default void backendConnected() {}

    default void backendDisconnected() {}

    /** Bytes read from clients (after TLS). */
    default void bytesFromClients(long bytes) {}

    /** Bytes written to clients (before TLS). */
    default void bytesToClients(long bytes) {}

    /**
     * A Query or an Execute went to PostgreSQL on the fast path, without the interceptor;
     * {@code extended} tells which of the two.
     */
    default void statementRelayed(boolean extended) {}

    /**
     * A relayed statement ended: from its Query (or, extended, its first Execute) to PostgreSQL's
     * ReadyForQuery, as the sidecar saw it. Only reported when the observer is not {@link #NONE}.
     */
    default void relayedStatementTook(boolean extended, long nanos) {}
}
