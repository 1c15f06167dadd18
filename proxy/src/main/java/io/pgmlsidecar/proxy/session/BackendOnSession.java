package io.pgmlsidecar.proxy.session;

import io.netty.buffer.ByteBufAllocator;
import io.pgmlsidecar.proxy.codec.BackendMessages;
import io.pgmlsidecar.proxy.codec.BackendType;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import io.pgmlsidecar.proxy.codec.FrontendType;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.codec.PgMessage;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.QueryResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The interceptor's own statements on the session's backend connection. Called by the worker
 * only after every relayed message has its reply, so what comes back is ours. Inside a client's
 * unfinished extended batch it ends with Flush, not Sync, so the client's implicit transaction
 * is neither committed nor ended.
 */
final class BackendOnSession implements BackendClient {

    private final ProtocolState protocol;
    private final Handover handover;
    private final ClientOutput client;
    private final BackendOutput backend;

    /** True from the first extended step until the Sync that ends the exchange (no Sync is needed otherwise). */
    private boolean exchangeOpen;

    BackendOnSession(ProtocolState protocol, Handover handover, ClientOutput client, BackendOutput backend) {
        this.protocol = protocol;
        this.handover = handover;
        this.client = client;
        this.backend = backend;
    }

    @Override
    public QueryResult query(String sql, List<String> textParameters) {
        byte[][] values = new byte[textParameters.size()][];
        for (int i = 0; i < values.length; i++) {
            String p = textParameters.get(i);
            values[i] = p == null ? null : p.getBytes(StandardCharsets.UTF_8);
        }
        return collect(sql, values, !protocol.extendedBatchOpen());
    }

    /** One statement with text parameters, its rows collected in text format; {@code sync}: end with Sync, else Flush. */
    private QueryResult collect(String sql, byte[][] textParameters, boolean sync) {
        List<byte[][]> rows = new ArrayList<>();
        List<List<Column>> columns = new ArrayList<>(List.of(List.of()));
        String tag = stream(sql, new int[0], new short[0], textParameters, new short[0], new RowSink() {
            @Override
            public void columns(List<Column> c) {
                columns.set(0, c);
            }

            @Override
            public void row(byte[][] v) {
                rows.add(v);
            }
        }, sync);
        return new QueryResult(columns.get(0), rows, tag);
    }

    @Override
    public String stream(String sql, int[] parameterTypeOids, short[] parameterFormats, byte[][] parameters,
                         short[] resultFormats, RowSink sink) {
        return stream(sql, parameterTypeOids, parameterFormats, parameters, resultFormats, sink, !protocol.extendedBatchOpen());
    }

    /**
     * A read that changes nothing (the session's settings): inside the client's extended batch it still ends with its
     * own Sync when nothing of the batch went upstream yet — that Sync ends no work of the client's, and a relayed one
     * later would wait for a pooled server while the client holds the results (the stall ProtocolState describes).
     */
    QueryResult read(String sql) {
        return collect(sql, new byte[0][], !protocol.extendedBatchOpen() || (protocol.backendUntouched() && !exchangeOpen));
    }

    private String stream(String sql, int[] parameterTypeOids, short[] parameterFormats, byte[][] parameters,
                          short[] resultFormats, RowSink sink, boolean sync) {
        exchangeOpen |= !sync;
        backend.write(FrontendMessages.parse(alloc(), "", sql, parameterTypeOids));
        backend.write(FrontendMessages.bind(alloc(), "", "", parameterFormats, parameters, resultFormats));
        backend.write(FrontendMessages.describe(alloc(), FrontendType.TARGET_PORTAL, ""));
        backend.write(FrontendMessages.execute(alloc(), "", 0));
        backend.write(sync ? FrontendMessages.sync(alloc()) : FrontendMessages.flush());
        backend.flush();
        String tag = null;
        PgError error = null;
        while (true) {
            PgMessage m = next();
            try {
                switch (m.type()) {
                    case BackendType.PARSE_COMPLETE, BackendType.BIND_COMPLETE -> { }
                    case BackendType.ROW_DESCRIPTION -> sink.columns(BackendMessages.readRowDescription(m.body()));
                    case BackendType.NO_DATA -> sink.columns(List.of());
                    case BackendType.DATA_ROW -> sink.row(BackendMessages.readDataRow(m.body()));
                    case BackendType.COMMAND_COMPLETE -> tag = BackendMessages.readCommandTag(m.body());
                    case BackendType.EMPTY_QUERY_RESPONSE -> tag = "";
                    case BackendType.ERROR_RESPONSE -> error = BackendMessages.readErrorFields(m.body());
                    case BackendType.READY_FOR_QUERY -> protocol.fromBackend(m);
                    default -> {
                        client.send(m.frame().retain());
                        continue;
                    }
                }
                boolean done = m.type() == BackendType.READY_FOR_QUERY || (!sync && (m.type() == BackendType.COMMAND_COMPLETE
                        || m.type() == BackendType.EMPTY_QUERY_RESPONSE || m.type() == BackendType.ERROR_RESPONSE));
                if (done) {
                    break;
                }
            } finally {
                m.frame().release();
            }
        }
        throwIfFailed(error, sync);
        return tag;
    }

    @Override
    public String step(String sql, int[] parameterTypeOids, byte[][] textParameters, RowSink sink) {
        return step(sql, parameterTypeOids, new short[0], textParameters, sink);
    }

    @Override
    public String step(String sql, int[] parameterTypeOids, short[] parameterFormats, byte[][] parameters, RowSink sink) {
        exchangeOpen = true;
        backend.write(FrontendMessages.parse(alloc(), "", sql, parameterTypeOids));
        backend.write(FrontendMessages.bind(alloc(), "", "", parameterFormats, parameters, new short[0]));
        backend.write(FrontendMessages.execute(alloc(), "", 0));
        return awaitRows(sink);
    }

    @Override
    public String bindAndExecute(String portalName, String statementName, short[] parameterFormats, byte[][] parameters,
                                 short[] resultFormats, int maxRows, RowSink sink) {
        exchangeOpen = true;
        backend.write(FrontendMessages.bind(alloc(), portalName, statementName, parameterFormats, parameters, resultFormats));
        backend.write(FrontendMessages.execute(alloc(), portalName, maxRows));
        return awaitRows(sink);
    }

    @Override
    public StatementInfo prepare(String statementName, String sql, int[] parameterTypeOids) {
        exchangeOpen = true;
        backend.write(FrontendMessages.parse(alloc(), statementName, sql, parameterTypeOids));
        backend.write(FrontendMessages.describe(alloc(), FrontendType.TARGET_STATEMENT, statementName));
        int[][] params = {new int[0]};
        List<List<Column>> columns = new ArrayList<>();
        columns.add(null);
        awaitSteps(m -> {
            switch (m.type()) {
                case BackendType.PARAMETER_DESCRIPTION -> params[0] = BackendMessages.readParameterDescription(m.body());
                case BackendType.ROW_DESCRIPTION -> columns.set(0, BackendMessages.readRowDescription(m.body()));
                default -> { }
            }
            return m.type() == BackendType.ROW_DESCRIPTION || m.type() == BackendType.NO_DATA;
        });
        return new StatementInfo(params[0], columns.get(0));
    }

    @Override
    public void bind(String portalName, String statementName, short[] parameterFormats, byte[][] parameters,
                     short[] resultFormats) {
        exchangeOpen = true;
        backend.write(FrontendMessages.bind(alloc(), portalName, statementName, parameterFormats, parameters, resultFormats));
        awaitSteps(m -> m.type() == BackendType.BIND_COMPLETE);
    }

    @Override
    public String execute(String portalName, int maxRows, RowSink sink) {
        exchangeOpen = true;
        backend.write(FrontendMessages.execute(alloc(), portalName, maxRows));
        return awaitRows(sink);
    }

    /** Rows until CommandComplete (its tag), EmptyQuery ("") or PortalSuspended (null). */
    private String awaitRows(RowSink sink) {
        String[] tag = {null};
        awaitSteps(m -> switch (m.type()) {
            case BackendType.DATA_ROW -> {
                sink.row(BackendMessages.readDataRow(m.body()));
                yield false;
            }
            case BackendType.COMMAND_COMPLETE -> {
                tag[0] = BackendMessages.readCommandTag(m.body());
                yield true;
            }
            case BackendType.EMPTY_QUERY_RESPONSE -> {
                tag[0] = "";
                yield true;
            }
            case BackendType.PORTAL_SUSPENDED -> true;
            default -> false;
        });
        return tag[0];
    }

    @Override
    public void close(byte kind, String name) {
        exchangeOpen = true;
        backend.write(FrontendMessages.close(alloc(), kind, name));
        awaitSteps(m -> m.type() == BackendType.CLOSE_COMPLETE);
    }

    @Override
    public void sync() {
        if (protocol.extendedBatchOpen()) {
            throw new IllegalStateException("sync() inside the client's extended exchange");
        }
        if (!exchangeOpen) {
            return; // nothing was sent since the last ReadyForQuery
        }
        exchangeOpen = false;
        backend.write(FrontendMessages.sync(alloc()));
        backend.flush();
        while (true) {
            PgMessage m = next();
            try {
                if (m.type() == BackendType.READY_FOR_QUERY) {
                    protocol.fromBackend(m);
                    protocol.discardUntilSync(false);
                    return;
                }
                if (BackendType.isAsynchronous(m.type())) {
                    client.send(m.frame().retain());
                }
            } finally {
                m.frame().release();
            }
        }
    }

    /** Flushes the written steps and reads replies until {@code done} says so; errors throw. */
    private void awaitSteps(java.util.function.Predicate<PgMessage> done) {
        backend.write(FrontendMessages.flush());
        backend.flush();
        while (true) {
            PgMessage m = next();
            try {
                switch (m.type()) {
                    case BackendType.ERROR_RESPONSE -> throwIfFailed(BackendMessages.readErrorFields(m.body()), false);
                    case BackendType.NOTICE_RESPONSE, BackendType.NOTIFICATION_RESPONSE, BackendType.PARAMETER_STATUS -> {
                        client.send(m.frame().retain());
                        continue;
                    }
                    default -> { }
                }
                if (done.test(m)) {
                    return;
                }
            } finally {
                m.frame().release();
            }
        }
    }

    private void throwIfFailed(PgError error, boolean synced) {
        if (error == null) {
            return;
        }
        if (!synced) {
            // the backend now ignores the exchange until Sync; so does the session
            protocol.discardUntilSync(true);
        }
        throw new PgException(error);
    }

    @Override
    public boolean relaySimpleQuery(String sql) {
        if (protocol.extendedBatchOpen()) {
            throw new PgException("0A000", "cannot run a simple query inside an unfinished extended-protocol batch",
                    "Send Sync before this statement.");
        }
        backend.write(FrontendMessages.query(alloc(), sql));
        backend.flush();
        boolean failed = false;
        while (true) {
            PgMessage m = next();
            if (m.type() == BackendType.READY_FOR_QUERY) {
                protocol.fromBackend(m);
                m.frame().release();
                return failed;
            }
            failed |= m.type() == BackendType.ERROR_RESPONSE;
            client.send(m.frame());
        }
    }

    private PgMessage next() {
        try {
            // while the client's socket is full the backend is not read: push out what we wrote first
            return handover.takeBackendMessage(client::flush);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgException("57014", "canceling statement due to interrupt", null);
        }
    }

    private ByteBufAllocator alloc() {
        return backend.alloc();
    }
}
