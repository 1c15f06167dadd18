package io.pgmlsidecar.proxy.intercept;

/** A statement the interceptor serves. */
public interface InterceptedStatement {

    /**
     * Simple query protocol: write the whole response (RowDescription, DataRows, CommandComplete
     * or an ErrorResponse) for the query string, but not ReadyForQuery, which the session sends.
     */
    void executeSimple(SessionContext session);

    /** Extended protocol: the statement was parsed; what Describe, Bind and Execute will use. */
    PreparedPlan prepare(int[] parameterTypeOids, SessionContext session);
}
