package io.pgmlsidecar.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.pgmlsidecar.proxy.codec.BackendMessages;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.codec.TransactionStatus;
import io.pgmlsidecar.proxy.codec.WireStrings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Protocol messages as bytes, for the in-process session tests, and frames read back from a byte stream. */
final class Wire {
    private Wire() {}

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    static final int TEXT = 25;

    /** One whole message as a peer received it. */
    record Msg(char type, byte[] body) {
        String text() {
            int end = 0;
            while (end < body.length && body[end] != 0) {
                end++;
            }
            return new String(body, 0, end, StandardCharsets.UTF_8);
        }

        /** The value of an ErrorResponse field ('C' SQLSTATE, 'M' message, 'H' hint). */
        String errorField(char code) {
            ByteBuf b = Unpooled.wrappedBuffer(body);
            while (b.isReadable() && b.getByte(b.readerIndex()) != 0) {
                char field = (char) b.readByte();
                String value = WireStrings.read(b);
                if (field == code) {
                    return value;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return String.valueOf(type);
        }
    }

    /** Splits a byte stream of typed messages into frames; the stream must end on a frame boundary. */
    static List<Msg> frames(byte[] stream) {
        List<Msg> out = new ArrayList<>();
        ByteBuf b = Unpooled.wrappedBuffer(stream);
        while (b.readableBytes() >= 5) {
            char type = (char) b.readByte();
            int length = b.readInt();
            byte[] body = new byte[length - 4];
            b.readBytes(body);
            out.add(new Msg(type, body));
        }
        if (b.isReadable()) {
            throw new AssertionError("the stream ends inside a message");
        }
        return out;
    }

    /** The types of {@code messages} as one string, e.g. "TDCZ". */
    static String types(List<Msg> messages) {
        StringBuilder s = new StringBuilder();
        messages.forEach(m -> s.append(m.type()));
        return s.toString();
    }

    static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    // ------------------------------------------------------------------ what a client sends

    static byte[] startup(String user, String database) {
        ByteBuf b = Unpooled.buffer();
        b.writeInt(0).writeInt(3 << 16);
        WireStrings.write(b, "user");
        WireStrings.write(b, user);
        WireStrings.write(b, "database");
        WireStrings.write(b, database);
        b.writeByte(0);
        b.setInt(0, b.writerIndex());
        return bytes(b);
    }

    static byte[] query(String sql) {
        return bytes(FrontendMessages.query(ALLOC, sql));
    }

    static byte[] parse(String name, String sql) {
        return bytes(FrontendMessages.parse(ALLOC, name, sql, new int[0]));
    }

    static byte[] bind(String portal, String statement) {
        return bytes(FrontendMessages.bind(ALLOC, portal, statement, new short[0], new byte[0][], new short[0]));
    }

    static byte[] execute(String portal) {
        return bytes(FrontendMessages.execute(ALLOC, portal, 0));
    }

    static byte[] sync() {
        return bytes(FrontendMessages.sync(ALLOC));
    }

    static byte[] copyData(String row) {
        return typed('d', row.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] copyDone() {
        return typed('c', new byte[0]);
    }

    static byte[] cancelRequest(int processId, byte[] secret) {
        return bytes(FrontendMessages.cancelRequest(ALLOC, processId, secret));
    }

    // ------------------------------------------------------------------ what PostgreSQL answers

    static byte[] authenticationOk() {
        return typed('R', new byte[] {0, 0, 0, 0});
    }

    static byte[] authenticationCleartextPassword() {
        return typed('R', new byte[] {0, 0, 0, 3});
    }

    static byte[] keyData(int processId, byte[] secret) {
        return bytes(BackendMessages.backendKeyData(ALLOC, processId, secret));
    }

    static byte[] ready(TransactionStatus status) {
        return bytes(BackendMessages.readyForQuery(ALLOC, status));
    }

    static byte[] ready() {
        return ready(TransactionStatus.IDLE);
    }

    static byte[] textColumns(String... names) {
        List<Column> columns = new ArrayList<>();
        for (String n : names) {
            columns.add(Column.computed(n, TEXT, (short) -1));
        }
        return bytes(BackendMessages.rowDescription(ALLOC, columns));
    }

    static byte[] row(String... values) {
        byte[][] v = new byte[values.length][];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i] == null ? null : values[i].getBytes(StandardCharsets.UTF_8);
        }
        return bytes(BackendMessages.dataRow(ALLOC, v));
    }

    static byte[] complete(String tag) {
        return bytes(BackendMessages.commandComplete(ALLOC, tag));
    }

    static byte[] parseComplete() {
        return bytes(BackendMessages.parseComplete(ALLOC));
    }

    static byte[] bindComplete() {
        return bytes(BackendMessages.bindComplete(ALLOC));
    }

    static byte[] error(String sqlState, String message) {
        return bytes(BackendMessages.errorResponse(ALLOC, PgError.error(sqlState, message, null)));
    }

    /** CopyInResponse / CopyOutResponse of one text column. */
    static byte[] copyInResponse() {
        return typed('G', new byte[] {0, 0, 1, 0, 0});
    }

    static byte[] copyOutResponse() {
        return typed('H', new byte[] {0, 0, 1, 0, 0});
    }

    static byte[] typed(char type, byte[] body) {
        ByteBuf b = Unpooled.buffer(5 + body.length);
        b.writeByte(type).writeInt(4 + body.length).writeBytes(body);
        return bytes(b);
    }
}
