package io.pgmlsidecar.proxy.intercept;

import io.pgmlsidecar.proxy.codec.TransactionStatus;
import java.util.Map;

/** What an intercepted statement may use of its client session. */
public interface SessionContext {

    /** Writes backend messages to the client, in order with the relayed ones. */
    ClientWriter client();

    /** Runs statements on the session's own backend connection, inside the client's transaction. */
    BackendClient backend();

    /** Transaction status from the last ReadyForQuery. */
    TransactionStatus transactionStatus();

    /** Startup parameters the client sent (user, database, application_name, …). */
    Map<String, String> startupParameters();

    /**
     * The value of a parameter the backend reported with ParameterStatus (standard_conforming_strings,
     * client_encoding, …), or null when it never did.
     */
    default String serverParameter(String name) {
        return null;
    }

    /** True once the client asked to cancel the running statement, or its statement_timeout ran out. */
    boolean cancelRequested();

    /**
     * statement_timeout and current_user of the session now: read from the backend at the first use and again only
     * after a statement that may have changed them.
     */
    default SessionSettings settings() {
        return new SessionSettings(0, startupParameters().get("user"));
    }

    /**
     * From now on this session also hands texts containing {@code word} (ASCII, any case) to the
     * interceptor, e.g. the EXECUTE of a name the interceptor prepared itself. Other sessions keep
     * the fast path.
     */
    void interceptAlso(String word);

    /** State the interceptor keeps for this session's lifetime: one instance per type, made on first use. */
    <T> T state(Class<T> type, java.util.function.Supplier<T> create);
}
