package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/** Encoders for the backend messages the sidecar writes itself, one method per message. */
public final class BackendMessages {
    private BackendMessages() {}

    public static ByteBuf errorResponse(ByteBufAllocator alloc, PgError e) {
        return fields(alloc, 'E', e);
    }

    public static ByteBuf noticeResponse(ByteBufAllocator alloc, PgError e) {
        return fields(alloc, 'N', e);
    }

    private static ByteBuf fields(ByteBufAllocator alloc, char type, PgError e) {
        ByteBuf b = begin(alloc, type);
        field(b, 'S', e.severity());
        field(b, 'V', e.severity());
        field(b, 'C', e.sqlState());
        field(b, 'M', e.message());
        field(b, 'D', e.detail());
        field(b, 'H', e.hint());
        if (e.position() > 0) {
            field(b, 'P', Integer.toString(e.position()));
        }
        b.writeByte(0);
        return finish(b);
    }

    private static void field(ByteBuf b, char code, String value) {
        if (value != null) {
            b.writeByte(code);
            WireStrings.write(b, value);
        }
    }

    public static ByteBuf readyForQuery(ByteBufAllocator alloc, byte transactionStatus) {
        ByteBuf b = begin(alloc, 'Z');
        b.writeByte(transactionStatus);
        return finish(b);
    }

    public static ByteBuf backendKeyData(ByteBufAllocator alloc, int processId, byte[] secretKey) {
        ByteBuf b = begin(alloc, 'K');
        b.writeInt(processId);
        b.writeBytes(secretKey);
        return finish(b);
    }

    public static ByteBuf rowDescription(ByteBufAllocator alloc, List<Column> columns) {
        ByteBuf b = begin(alloc, 'T');
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
        ByteBuf b = begin(alloc, 'D');
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
        ByteBuf b = begin(alloc, 'C');
        WireStrings.write(b, tag);
        return finish(b);
    }

    public static ByteBuf parameterDescription(ByteBufAllocator alloc, int[] typeOids) {
        ByteBuf b = begin(alloc, 't');
        b.writeShort(typeOids.length);
        for (int oid : typeOids) {
            b.writeInt(oid);
        }
        return finish(b);
    }

    public static ByteBuf parseComplete(ByteBufAllocator alloc) {
        return empty(alloc, '1');
    }

    public static ByteBuf bindComplete(ByteBufAllocator alloc) {
        return empty(alloc, '2');
    }

    public static ByteBuf closeComplete(ByteBufAllocator alloc) {
        return empty(alloc, '3');
    }

    public static ByteBuf noData(ByteBufAllocator alloc) {
        return empty(alloc, 'n');
    }

    public static ByteBuf portalSuspended(ByteBufAllocator alloc) {
        return empty(alloc, 's');
    }

    public static ByteBuf emptyQueryResponse(ByteBufAllocator alloc) {
        return empty(alloc, 'I');
    }

    private static ByteBuf empty(ByteBufAllocator alloc, char type) {
        return finish(begin(alloc, type));
    }

    private static ByteBuf begin(ByteBufAllocator alloc, char type) {
        ByteBuf b = alloc.buffer();
        b.writeByte(type);
        b.writeInt(0);
        return b;
    }

    private static ByteBuf finish(ByteBuf b) {
        b.setInt(1, b.writerIndex() - 1);
        return b;
    }
}
