package io.pgmlsidecar.proxy.intercept;

import java.util.List;

/**
 * Statements the interceptor runs on the session's backend connection, in the client's
 * transaction. Notices and notifications that arrive meanwhile go on to the client.
 */
public interface BackendClient {

    /**
     * Runs one statement with text parameters ({@code $1}…; null is SQL NULL) and returns its rows
     * in text format.
     *
     * @throws PgException with the backend's error
     */
    QueryResult query(String sql, List<String> textParameters);

    /**
     * Sends a simple query string and relays everything the backend answers to the client,
     * except the final ReadyForQuery.
     *
     * @return true when the backend answered with an error
     */
    boolean relaySimpleQuery(String sql);
}
