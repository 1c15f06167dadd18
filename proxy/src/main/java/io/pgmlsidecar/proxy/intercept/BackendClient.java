package io.pgmlsidecar.proxy.intercept;

import io.pgmlsidecar.proxy.codec.Column;
import java.util.List;

/**
 * Statements the interceptor runs on the session's backend connection, in the client's
 * transaction. Notices and notifications that arrive meanwhile go on to the client. Backend
 * errors come back as {@link PgException} carrying the backend's own fields.
 *
 * <p>{@link #query}, {@link #stream} and {@link #relaySimpleQuery} are complete exchanges: outside
 * an extended-protocol exchange of the client they end with Sync (so they commit an implicit
 * transaction like a simple query would); inside one they end with Flush and leave the Sync to
 * the client. {@link #prepare}, {@link #bind}, {@link #execute} and {@link #close} are the steps of
 * an extended exchange and always end with Flush: call them only while serving the client's own
 * Parse/Bind/Describe/Execute/Close, whose Sync ends the exchange.
 */
public interface BackendClient {

    /** Receives result columns and rows as they arrive; rows are in the requested formats. */
    interface RowSink {
        void columns(List<Column> columns);

        void row(byte[][] values);
    }

    /** Parameter types and result columns of a prepared statement; {@code columns} null = NoData. */
    record StatementInfo(int[] parameterTypeOids, List<Column> columns) {}

    /**
     * Runs one statement with text parameters ({@code $1}…; null is SQL NULL) and returns its rows
     * in text format.
     */
    QueryResult query(String sql, List<String> textParameters);

    /**
     * Runs one statement through the unnamed statement and portal, streaming its rows to
     * {@code sink}; returns the command tag.
     */
    String stream(String sql, int[] parameterTypeOids, short[] parameterFormats, byte[][] parameters,
                  short[] resultFormats, RowSink sink);

    /**
     * Sends a simple query string and relays everything the backend answers to the client,
     * except the final ReadyForQuery.
     *
     * @return true when the backend answered with an error
     */
    boolean relaySimpleQuery(String sql);

    /**
     * One statement as a single pipelined step (Parse, Bind, Execute, Flush through the unnamed
     * statement and portal, one round trip), rows to {@code sink} in text format; returns the command
     * tag. Like the other steps it leaves the exchange open.
     */
    String step(String sql, int[] parameterTypeOids, byte[][] textParameters, RowSink sink);

    /** As {@link #step(String, int[], byte[][], RowSink)}, with each parameter in the given format (0 text, 1 binary). */
    String step(String sql, int[] parameterTypeOids, short[] parameterFormats, byte[][] parameters, RowSink sink);

    /** Bind and Execute as one pipelined step (one round trip); as {@link #execute}, null when suspended at {@code maxRows}. */
    String bindAndExecute(String portalName, String statementName, short[] parameterFormats, byte[][] parameters,
                          short[] resultFormats, int maxRows, RowSink sink);

    /** Parse + Describe statement. */
    StatementInfo prepare(String statementName, String sql, int[] parameterTypeOids);

    void bind(String portalName, String statementName, short[] parameterFormats, byte[][] parameters,
              short[] resultFormats);

    /** Executes a bound portal; returns the command tag, or null when suspended at {@code maxRows}. */
    String execute(String portalName, int maxRows, RowSink sink);

    /** Closes a statement ({@code FrontendType.TARGET_STATEMENT}) or portal ({@code FrontendType.TARGET_PORTAL}). */
    void close(byte kind, String name);

    /**
     * Ends the sidecar's own exchange with Sync and waits for ReadyForQuery, also after an error
     * (it clears the backend's skip-until-Sync state). For serving a simple query with the
     * extended steps; never while the client is inside an extended exchange of its own.
     */
    void sync();
}
