package io.pgmlsidecar.proxy.intercept;

import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import java.util.List;

/** A prepared statement served by the interceptor. */
public interface PreparedPlan {

    /** Parameter type OIDs as ParameterDescription reports them. */
    int[] parameterTypeOids();

    /** The result columns (text format), or null when the statement returns no rows (NoData). */
    List<Column> resultColumns();

    BoundPortal bind(FrontendMessages.Bind bind, SessionContext session);

    /** Releases what the plan holds on the backend (a server-side statement, say). */
    default void close(SessionContext session) {}
}
