package io.pgmlsidecar.proxy.intercept;

import io.pgmlsidecar.proxy.codec.Column;
import java.util.List;

/** A bound portal of a {@link PreparedPlan}. */
public interface BoundPortal {

    /** Result columns with the Bind's result formats applied, or null for NoData. */
    List<Column> resultColumns();

    /**
     * Writes up to {@code maxRows} DataRows (0 = all), then CommandComplete, or PortalSuspended
     * when rows remain.
     *
     * @return true when suspended
     */
    boolean execute(int maxRows, SessionContext session);

    default void close(SessionContext session) {}
}
