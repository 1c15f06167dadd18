package io.pgmlsidecar.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.codec.PgMessage;
import io.pgmlsidecar.proxy.codec.WireStrings;
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

    private final InterceptWorker worker;
    private final ClientSession session;

    /** True from the first extended step until the Sync that ends the exchange (no Sync is needed otherwise). */
    private boolean exchangeOpen;

    BackendOnSession(InterceptWorker worker, ClientSession session) {
        this.worker = worker;
        this.session = session;
    }

    @Override
    public QueryResult query(String sql, List<String> textParameters) {
        byte[][] values = new byte[textParameters.size()][];
        for (int i = 0; i < values.length; i++) {
            String p = textParameters.get(i);
            values[i] = p == null ? null : p.getBytes(StandardCharsets.UTF_8);
        }
        List<byte[][]> rows = new ArrayList<>();
        List<List<Column>> columns = new ArrayList<>(List.of(List.of()));
        String tag = stream(sql, new int[0], new short[0], values, new short[0], new RowSink() {
            @Override
            public void columns(List<Column> c) {
                columns.set(0, c);
            }

            @Override
            public void row(byte[][] v) {
                rows.add(v);
            }
        });
        return new QueryResult(columns.get(0), rows, tag);
    }

    @Override
    public String stream(String sql, int[] parameterTypeOids, short[] parameterFormats, byte[][] parameters,
                         short[] resultFormats, RowSink sink) {
        boolean sync = !worker.midBatch();
        exchangeOpen |= !sync;
        worker.writeToBackend(parseMessage("", sql, parameterTypeOids));
        worker.writeToBackend(bindMessage("", "", parameterFormats, parameters, resultFormats));
        worker.writeToBackend(simple('D', new byte[] {'P', 0}));
        worker.writeToBackend(executeMessage("", 0));
        worker.writeToBackend(simple(sync ? 'S' : 'H', new byte[0]));
        worker.flushBackend();
        String tag = null;
        PgError error = null;
        while (true) {
            PgMessage m = next();
            try {
                switch (m.type()) {
                    case '1', '2' -> { }
                    case 'T' -> sink.columns(readColumns(m.body()));
                    case 'n' -> sink.columns(List.of());
                    case 'D' -> sink.row(readRow(m.body()));
                    case 'C' -> tag = WireStrings.read(m.body());
                    case 'I' -> tag = "";
                    case 'E' -> error = readError(m.body());
                    case 'Z' -> session.observeBackend(m);
                    default -> {
                        worker.send(m.frame().retain());
                        continue;
                    }
                }
                boolean done = m.type() == 'Z' || (!sync && (m.type() == 'C' || m.type() == 'I' || m.type() == 'E'));
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
        worker.writeToBackend(parseMessage("", sql, parameterTypeOids));
        worker.writeToBackend(bindMessage("", "", parameterFormats, parameters, new short[0]));
        worker.writeToBackend(executeMessage("", 0));
        return awaitRows(sink);
    }

    @Override
    public String bindAndExecute(String portalName, String statementName, short[] parameterFormats, byte[][] parameters,
                                 short[] resultFormats, int maxRows, RowSink sink) {
        exchangeOpen = true;
        worker.writeToBackend(bindMessage(portalName, statementName, parameterFormats, parameters, resultFormats));
        worker.writeToBackend(executeMessage(portalName, maxRows));
        return awaitRows(sink);
    }

    @Override
    public StatementInfo prepare(String statementName, String sql, int[] parameterTypeOids) {
        exchangeOpen = true;
        worker.writeToBackend(parseMessage(statementName, sql, parameterTypeOids));
        worker.writeToBackend(describeMessage('S', statementName));
        int[][] params = {new int[0]};
        List<List<Column>> columns = new ArrayList<>();
        columns.add(null);
        awaitSteps(m -> {
            switch (m.type()) {
                case 't' -> params[0] = readParameterTypes(m.body());
                case 'T' -> columns.set(0, readColumns(m.body()));
                default -> { }
            }
            return m.type() == 'T' || m.type() == 'n';
        });
        return new StatementInfo(params[0], columns.get(0));
    }

    @Override
    public void bind(String portalName, String statementName, short[] parameterFormats, byte[][] parameters,
                     short[] resultFormats) {
        exchangeOpen = true;
        worker.writeToBackend(bindMessage(portalName, statementName, parameterFormats, parameters, resultFormats));
        awaitSteps(m -> m.type() == '2');
    }

    @Override
    public String execute(String portalName, int maxRows, RowSink sink) {
        exchangeOpen = true;
        worker.writeToBackend(executeMessage(portalName, maxRows));
        return awaitRows(sink);
    }

    /** Rows until CommandComplete (its tag), EmptyQuery ("") or PortalSuspended (null). */
    private String awaitRows(RowSink sink) {
        String[] tag = {null};
        awaitSteps(m -> switch (m.type()) {
            case 'D' -> {
                sink.row(readRow(m.body()));
                yield false;
            }
            case 'C' -> {
                tag[0] = WireStrings.read(m.body());
                yield true;
            }
            case 'I' -> {
                tag[0] = "";
                yield true;
            }
            case 's' -> true;
            default -> false;
        });
        return tag[0];
    }

    @Override
    public void close(byte kind, String name) {
        exchangeOpen = true;
        worker.writeToBackend(closeMessage((char) kind, name));
        awaitSteps(m -> m.type() == '3');
    }

    private ByteBuf closeMessage(char kind, String name) {
        return describeMessage(kind, name).setByte(0, 'C');
    }

    @Override
    public void sync() {
        if (worker.midBatch()) {
            throw new IllegalStateException("sync() inside the client's extended exchange");
        }
        if (!exchangeOpen) {
            return; // nothing was sent since the last ReadyForQuery
        }
        exchangeOpen = false;
        worker.writeToBackend(simple('S', new byte[0]));
        worker.flushBackend();
        while (true) {
            PgMessage m = next();
            try {
                if (m.type() == 'Z') {
                    session.observeBackend(m);
                    session.discardUntilSync = false;
                    return;
                }
                if (m.type() == 'N' || m.type() == 'A' || m.type() == 'S') {
                    worker.send(m.frame().retain());
                }
            } finally {
                m.frame().release();
            }
        }
    }

    /** Flushes the written steps and reads replies until {@code done} says so; errors throw. */
    private void awaitSteps(java.util.function.Predicate<PgMessage> done) {
        worker.writeToBackend(simple('H', new byte[0]));
        worker.flushBackend();
        while (true) {
            PgMessage m = next();
            try {
                switch (m.type()) {
                    case 'E' -> throwIfFailed(readError(m.body()), false);
                    case 'N', 'A', 'S' -> {
                        worker.send(m.frame().retain());
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
            session.discardUntilSync = true;
        }
        throw new PgException(error);
    }

    @Override
    public boolean relaySimpleQuery(String sql) {
        if (worker.midBatch()) {
            throw new PgException("0A000", "cannot run a simple query inside an unfinished extended-protocol batch",
                    "Send Sync before this statement.");
        }
        ByteBuf q = session.backend.alloc().buffer();
        q.writeByte('Q').writeInt(0);
        WireStrings.write(q, sql);
        q.setInt(1, q.writerIndex() - 1);
        worker.writeToBackend(q);
        worker.flushBackend();
        boolean failed = false;
        while (true) {
            PgMessage m = next();
            if (m.type() == 'Z') {
                session.observeBackend(m);
                m.frame().release();
                return failed;
            }
            failed |= m.type() == 'E';
            worker.send(m.frame());
        }
    }

    private PgMessage next() {
        try {
            return worker.nextBackendMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgException("57014", "canceling statement due to interrupt", null);
        }
    }

    private ByteBuf parseMessage(String name, String sql, int[] parameterTypeOids) {
        ByteBuf b = session.backend.alloc().buffer();
        b.writeByte('P').writeInt(0);
        WireStrings.write(b, name);
        WireStrings.write(b, sql);
        b.writeShort(parameterTypeOids.length);
        for (int oid : parameterTypeOids) {
            b.writeInt(oid);
        }
        return finish(b);
    }

    private ByteBuf bindMessage(String portal, String statement, short[] parameterFormats, byte[][] values,
                                short[] resultFormats) {
        ByteBuf b = session.backend.alloc().buffer();
        b.writeByte('B').writeInt(0);
        WireStrings.write(b, portal);
        WireStrings.write(b, statement);
        b.writeShort(parameterFormats.length);
        for (short f : parameterFormats) {
            b.writeShort(f);
        }
        b.writeShort(values.length);
        for (byte[] v : values) {
            if (v == null) {
                b.writeInt(-1);
            } else {
                b.writeInt(v.length).writeBytes(v);
            }
        }
        b.writeShort(resultFormats.length);
        for (short f : resultFormats) {
            b.writeShort(f);
        }
        return finish(b);
    }

    private ByteBuf describeMessage(char kind, String name) {
        ByteBuf b = session.backend.alloc().buffer();
        b.writeByte('D').writeInt(0);
        b.writeByte(kind);
        WireStrings.write(b, name);
        return finish(b);
    }

    private ByteBuf executeMessage(String portal, int maxRows) {
        ByteBuf b = session.backend.alloc().buffer();
        b.writeByte('E').writeInt(0);
        WireStrings.write(b, portal);
        b.writeInt(maxRows);
        return finish(b);
    }

    private static int[] readParameterTypes(ByteBuf body) {
        int n = body.readUnsignedShort();
        int[] oids = new int[n];
        for (int i = 0; i < n; i++) {
            oids[i] = body.readInt();
        }
        return oids;
    }

    private ByteBuf simple(char type, byte[] body) {
        ByteBuf b = session.backend.alloc().buffer(5 + body.length);
        b.writeByte(type).writeInt(4 + body.length).writeBytes(body);
        return b;
    }

    private static ByteBuf finish(ByteBuf b) {
        b.setInt(1, b.writerIndex() - 1);
        return b;
    }

    static List<Column> readColumns(ByteBuf body) {
        int n = body.readUnsignedShort();
        List<Column> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            columns.add(new Column(WireStrings.read(body), body.readInt(), body.readShort(), body.readInt(),
                    body.readShort(), body.readInt(), body.readShort()));
        }
        return columns;
    }

    private static byte[][] readRow(ByteBuf body) {
        int n = body.readUnsignedShort();
        byte[][] row = new byte[n][];
        for (int i = 0; i < n; i++) {
            int len = body.readInt();
            row[i] = len < 0 ? null : ByteBufUtil.getBytes(body.readSlice(len));
        }
        return row;
    }

    static PgError readError(ByteBuf body) {
        String severity = "ERROR";
        String code = "XX000";
        String message = "";
        String detail = null;
        String hint = null;
        int position = 0;
        while (body.isReadable() && body.getByte(body.readerIndex()) != 0) {
            byte field = body.readByte();
            String value = WireStrings.read(body);
            switch (field) {
                case 'V' -> severity = value;
                case 'C' -> code = value;
                case 'M' -> message = value;
                case 'D' -> detail = value;
                case 'H' -> hint = value;
                case 'P' -> position = Integer.parseInt(value);
                default -> { }
            }
        }
        return new PgError(severity, code, message, detail, hint, position);
    }
}
