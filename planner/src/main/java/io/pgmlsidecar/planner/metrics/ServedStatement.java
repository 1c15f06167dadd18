package io.pgmlsidecar.planner.metrics;

/**
 * One statement the sidecar served, as the statement log sees it: who ran it and how long it took,
 * never its text or parameter values.
 *
 * @param sessionId a short id of the client session, the same for each of its statements
 * @param sqlState null when it succeeded
 */
public record ServedStatement(String sessionId, String user, String database, String applicationName, String strategy,
                              String protocol, long nanos, String sqlState) {

    /** Told of every served statement, on the session's worker thread; must be quick. */
    public interface Listener {
        Listener NONE = s -> { };

        void served(ServedStatement statement);
    }
}
