package io.pgmlsidecar.proxy.intercept;

import java.util.Map;

/** What an intercepted statement may use of its client session. */
public interface SessionContext {

    /** Writes backend messages to the client, in order with the relayed ones. */
    ClientWriter client();

    /** Runs statements on the session's own backend connection, inside the client's transaction. */
    BackendClient backend();

    /** Transaction status from the last ReadyForQuery: 'I' idle, 'T' in transaction, 'E' failed. */
    byte transactionStatus();

    /** Startup parameters the client sent (user, database, application_name, …). */
    Map<String, String> startupParameters();

    /** True once the client asked to cancel the running statement. */
    boolean cancelRequested();
}
