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

    BackendOnSession(InterceptWorker worker, ClientSession session) {
        this.worker = worker;
        this.session = session;
    }

    @Override
    public QueryResult query(String sql, List<String> textParameters) {
        boolean sync = !worker.midBatch();
        worker.writeToBackend(parse(sql));
        worker.writeToBackend(bind(textParameters));
        worker.writeToBackend(simple('D', new byte[] {'P', 0}));
        worker.writeToBackend(simple('E', new byte[] {0, 0, 0, 0, 0}));
        worker.writeToBackend(simple(sync ? 'S' : 'H', new byte[0]));
        worker.flushBackend();
        List<Column> columns = List.of();
        List<byte[][]> rows = new ArrayList<>();
        String tag = null;
        PgError error = null;
        while (true) {
            PgMessage m = next();
            try {
                switch (m.type()) {
                    case '1', '2' -> { }
                    case 'T' -> columns = readColumns(m.body());
                    case 'n' -> columns = List.of();
                    case 'D' -> rows.add(readRow(m.body()));
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
        if (error != null) {
            if (!sync) {
                // the backend now ignores the batch until Sync; so does the session
                session.discardUntilSync = true;
            }
            throw new PgException(error);
        }
        return new QueryResult(columns, rows, tag);
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

    private ByteBuf parse(String sql) {
        ByteBuf b = session.backend.alloc().buffer();
        b.writeByte('P').writeInt(0);
        b.writeByte(0);
        WireStrings.write(b, sql);
        b.writeShort(0);
        return finish(b);
    }

    private ByteBuf bind(List<String> params) {
        ByteBuf b = session.backend.alloc().buffer();
        b.writeByte('B').writeInt(0);
        b.writeByte(0).writeByte(0);
        b.writeShort(0);
        b.writeShort(params.size());
        for (String p : params) {
            if (p == null) {
                b.writeInt(-1);
            } else {
                byte[] v = p.getBytes(StandardCharsets.UTF_8);
                b.writeInt(v.length).writeBytes(v);
            }
        }
        b.writeShort(0);
        return finish(b);
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
