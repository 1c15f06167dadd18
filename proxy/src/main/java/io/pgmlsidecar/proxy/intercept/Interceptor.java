package io.pgmlsidecar.proxy.intercept;

import java.util.List;

/**
 * What the planner implements. The proxy relays every statement whose text contains none of
 * {@link #triggers()} without looking further; the others reach {@link #plan} on a virtual
 * thread of their session, never on an event loop.
 */
public interface Interceptor {

    /** ASCII words matched case-insensitively anywhere in a Query or Parse text, e.g. {@code pgml.}. */
    List<String> triggers();

    /**
     * Plans one statement text (a whole simple-query string or one Parse).
     *
     * @return the plan, or null when the text holds no call to serve (e.g. the trigger word was in
     *     a string literal, or only names a table): the message is then relayed unchanged.
     * @throws PgException when the statement calls the API wrongly; the client gets that error.
     */
    InterceptedStatement plan(String sql, SessionContext session);
}
