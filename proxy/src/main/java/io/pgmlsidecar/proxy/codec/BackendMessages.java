package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * The backend messages in one place: an encoder for each message the sidecar writes itself, and
 * a reader for each one it reads of PostgreSQL's replies.
 */
public final class BackendMessages {
    private BackendMessages() {}

    /** Field codes of ErrorResponse and NoticeResponse. */
    private static final byte FIELD_SEVERITY = 'S';
    private static final byte FIELD_SEVERITY_NOT_LOCALIZED = 'V';
    private static final byte FIELD_SQLSTATE = 'C';
    private static final byte FIELD_MESSAGE = 'M';
    private static final byte FIELD_DETAIL = 'D';
    private static final byte FIELD_HINT = 'H';
    private static final byte FIELD_POSITION = 'P';

    public static ByteBuf errorResponse(ByteBufAllocator alloc, PgError e) {
        return fields(alloc, BackendType.ERROR_RESPONSE, e);
    }

    public static ByteBuf noticeResponse(ByteBufAllocator alloc, PgError e) {
        return fields(alloc, BackendType.NOTICE_RESPONSE, e);
    }

    private static ByteBuf fields(ByteBufAllocator alloc, byte type, PgError e) {
        ByteBuf b = begin(alloc, type);
        field(b, FIELD_SEVERITY, e.severity());
        field(b, FIELD_SEVERITY_NOT_LOCALIZED, e.severity());
        field(b, FIELD_SQLSTATE, e.sqlState());
        field(b, FIELD_MESSAGE, e.message());
        field(b, FIELD_DETAIL, e.detail());
        field(b, FIELD_HINT, e.hint());
        if (e.position() > 0) {
            field(b, FIELD_POSITION, Integer.toString(e.position()));
        }
        b.writeByte(0);
        return finish(b);
    }

    private static void field(ByteBuf b, byte code, String value) {
        if (value != null) {
            b.writeByte(code);
            WireStrings.write(b, value);
        }
    }

    public static ByteBuf readyForQuery(ByteBufAllocator alloc, TransactionStatus status) {
        ByteBuf b = begin(alloc, BackendType.READY_FOR_QUERY);
        b.writeByte(status.code());
        return finish(b);
    }

    public static ByteBuf backendKeyData(ByteBufAllocator alloc, int processId, byte[] secretKey) {
        ByteBuf b = begin(alloc, BackendType.BACKEND_KEY_DATA);
        b.writeInt(processId);
        b.writeBytes(secretKey);
        return finish(b);
    }

    public static ByteBuf rowDescription(ByteBufAllocator alloc, List<Column> columns) {
        ByteBuf b = begin(alloc, BackendType.ROW_DESCRIPTION);
        b.writeShort(columns.size());
        for (Column c : columns) {
            WireStrings.write(b, c.name());
            b.writeInt(c.tableOid());
            b.writeShort(c.columnNumber());
            b.writeInt(c.typeOid());
            b.writeShort(c.typeSize());
            b.writeInt(c.typeModifier());
            b.writeShort(c.format());
        }
        return finish(b);
    }

    /** DataRow; a null value is SQL NULL. */
    public static ByteBuf dataRow(ByteBufAllocator alloc, byte[][] values) {
        ByteBuf b = begin(alloc, BackendType.DATA_ROW);
        b.writeShort(values.length);
        for (byte[] v : values) {
            if (v == null) {
                b.writeInt(-1);
            } else {
                b.writeInt(v.length);
                b.writeBytes(v);
            }
        }
        return finish(b);
    }

    public static ByteBuf commandComplete(ByteBufAllocator alloc, String tag) {
        ByteBuf b = begin(alloc, BackendType.COMMAND_COMPLETE);
        WireStrings.write(b, tag);
        return finish(b);
    }

    public static ByteBuf parameterDescription(ByteBufAllocator alloc, int[] typeOids) {
        ByteBuf b = begin(alloc, BackendType.PARAMETER_DESCRIPTION);
        b.writeShort(typeOids.length);
        for (int oid : typeOids) {
            b.writeInt(oid);
        }
        return finish(b);
    }

    public static ByteBuf parseComplete(ByteBufAllocator alloc) {
        return empty(alloc, BackendType.PARSE_COMPLETE);
    }

    public static ByteBuf bindComplete(ByteBufAllocator alloc) {
        return empty(alloc, BackendType.BIND_COMPLETE);
    }

    public static ByteBuf closeComplete(ByteBufAllocator alloc) {
        return empty(alloc, BackendType.CLOSE_COMPLETE);
    }

    public static ByteBuf noData(ByteBufAllocator alloc) {
        return empty(alloc, BackendType.NO_DATA);
    }

    public static ByteBuf portalSuspended(ByteBufAllocator alloc) {
        return empty(alloc, BackendType.PORTAL_SUSPENDED);
    }

    public static ByteBuf emptyQueryResponse(ByteBufAllocator alloc) {
        return empty(alloc, BackendType.EMPTY_QUERY_RESPONSE);
    }

    private static ByteBuf empty(ByteBufAllocator alloc, byte type) {
        return finish(begin(alloc, type));
    }

    private static ByteBuf begin(ByteBufAllocator alloc, byte type) {
        ByteBuf b = alloc.buffer();
        b.writeByte(type);
        b.writeInt(0);
        return b;
    }

    private static ByteBuf finish(ByteBuf b) {
        b.setInt(1, b.writerIndex() - 1);
        return b;
    }

    /** The one-byte answers to SSLRequest and GSSENCRequest: 'S' go ahead with TLS, 'N' not offered. */
    public static ByteBuf encryptionResponse(boolean accepted) {
        return Unpooled.wrappedBuffer(new byte[] {(byte) (accepted ? 'S' : 'N')});
    }

    // ------------------------------------------------------------------ readers

    /** ReadyForQuery's status, read from the whole frame starting at {@code start}. */
    public static TransactionStatus readTransactionStatus(ByteBuf frame, int start) {
        return TransactionStatus.of(frame.getByte(start + PgMessage.HEADER_LENGTH));
    }

    /** BackendKeyData: the process id and the secret key (4 bytes in protocol 3.0, up to 256 in 3.2). */
    public record KeyData(int processId, byte[] secretKey) {
        public static KeyData read(ByteBuf body) {
            byte[] secret = new byte[body.readableBytes() - 4];
            body.getBytes(body.readerIndex() + 4, secret);
            return new KeyData(body.getInt(body.readerIndex()), secret);
        }
    }

    public static List<Column> readRowDescription(ByteBuf body) {
        int n = body.readUnsignedShort();
        List<Column> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            columns.add(new Column(WireStrings.read(body), body.readInt(), body.readShort(), body.readInt(),
                    body.readShort(), body.readInt(), body.readShort()));
        }
        return columns;
    }

    /** DataRow's values; a null value is SQL NULL. */
    public static byte[][] readDataRow(ByteBuf body) {
        int n = body.readUnsignedShort();
        byte[][] row = new byte[n][];
        for (int i = 0; i < n; i++) {
            int len = body.readInt();
            row[i] = len < 0 ? null : ByteBufUtil.getBytes(body.readSlice(len));
        }
        return row;
    }

    public static int[] readParameterDescription(ByteBuf body) {
        int n = body.readUnsignedShort();
        int[] oids = new int[n];
        for (int i = 0; i < n; i++) {
            oids[i] = body.readInt();
        }
        return oids;
    }

    public static String readCommandTag(ByteBuf body) {
        return WireStrings.read(body);
    }

    /** The fields of an ErrorResponse or NoticeResponse the sidecar acts on. */
    public static PgError readErrorFields(ByteBuf body) {
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
                case FIELD_SEVERITY_NOT_LOCALIZED -> severity = value;
                case FIELD_SQLSTATE -> code = value;
                case FIELD_MESSAGE -> message = value;
                case FIELD_DETAIL -> detail = value;
                case FIELD_HINT -> hint = value;
                case FIELD_POSITION -> position = Integer.parseInt(value);
                default -> { }
            }
        }
        return new PgError(severity, code, message, detail, hint, position);
    }
}
