package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;

/**
 * How one statement with API calls is executed. The same strategy serves the simple protocol
 * (no parameters, describe then start) and the extended one (describe at Parse, start at the
 * first Execute, fetch per Execute).
 */
public interface Strategy {

    /** Parameter types and result columns (text format; null = no rows), before any Bind. */
    StatementInfo describe(SessionContext session, int[] declaredParameterOids);

    /** Starts an execution with bound parameters; {@code resultFormats} has one code per column. */
    Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats);

    /**
     * True when the strategy leaves an open extended exchange on the backend, which a simple
     * query must end with Sync.
     */
    default boolean usesBackendSteps() {
        return true;
    }

    /** A running execution. */
    interface Execution {
        /** Writes up to {@code maxRows} DataRows (0 = all); returns the command tag, or null when suspended. */
        String fetch(SessionContext session, int maxRows);

        default void close(SessionContext session) {}
    }
}
