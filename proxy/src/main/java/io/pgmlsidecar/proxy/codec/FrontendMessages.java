package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.function.Supplier;

/**
 * The frontend messages in one place: a reader (one record per message the session inspects) and
 * an encoder for each message the sidecar sends PostgreSQL itself. A body that ends too early is
 * the client's {@link ProtocolViolation}, as in PostgreSQL.
 */
public final class FrontendMessages {
    private FrontendMessages() {}

    private static <T> T read(Supplier<T> reader) {
        try {
            return reader.get();
        } catch (IndexOutOfBoundsException e) {
            throw new ProtocolViolation("insufficient data left in message");
        }
    }

    public record Query(String sql) {
        public static Query read(ByteBuf body) {
            return new Query(WireStrings.read(body.duplicate()));
        }
    }

    public record Parse(String statementName, String sql, int[] parameterTypeOids) {
        public static Parse read(ByteBuf body) {
            return FrontendMessages.read(() -> readParse(body.duplicate()));
        }

        private static Parse readParse(ByteBuf b) {
            String name = WireStrings.read(b);
            String sql = WireStrings.read(b);
            int n = b.readUnsignedShort();
            int[] oids = new int[n];
            for (int i = 0; i < n; i++) {
                oids[i] = b.readInt();
            }
            return new Parse(name, sql, oids);
        }
    }

    /** Bind; a null entry in {@code values} is SQL NULL. */
    public record Bind(String portalName, String statementName, short[] parameterFormats,
                       byte[][] values, short[] resultFormats) {
        public static Bind read(ByteBuf body) {
            return FrontendMessages.read(() -> readBind(body.duplicate()));
        }

        private static Bind readBind(ByteBuf b) {
            String portal = WireStrings.read(b);
            String statement = WireStrings.read(b);
            short[] paramFormats = readShorts(b);
            int n = b.readUnsignedShort();
            byte[][] values = new byte[n][];
            for (int i = 0; i < n; i++) {
                int len = b.readInt();
                values[i] = len < 0 ? null : ByteBufUtil.getBytes(b.readSlice(len));
            }
            return new Bind(portal, statement, paramFormats, values, readShorts(b));
        }

        /** Format code of parameter {@code i} per the protocol's 0/1/n rule. */
        public short parameterFormat(int i) {
            return formatAt(parameterFormats, i);
        }

        public short resultFormat(int column) {
            return formatAt(resultFormats, column);
        }

        private static short formatAt(short[] formats, int i) {
            return formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
        }

        private static short[] readShorts(ByteBuf b) {
            int n = b.readUnsignedShort();
            short[] s = new short[n];
            for (int i = 0; i < n; i++) {
                s[i] = b.readShort();
            }
            return s;
        }
    }

    /** Describe or Close: {@code kind} is {@link FrontendType#TARGET_STATEMENT} or {@link FrontendType#TARGET_PORTAL}. */
    public record Target(byte kind, String name) {
        public boolean isStatement() {
            return kind == FrontendType.TARGET_STATEMENT;
        }

        public static Target read(ByteBuf body) {
            ByteBuf b = body.duplicate();
            if (!b.isReadable()) {
                throw new ProtocolViolation("insufficient data left in message");
            }
            byte kind = b.readByte();
            if (kind != FrontendType.TARGET_STATEMENT && kind != FrontendType.TARGET_PORTAL) {
                throw new ProtocolViolation("invalid DESCRIBE/CLOSE message subtype " + kind);
            }
            return new Target(kind, WireStrings.read(b));
        }
    }

    public record Execute(String portalName, int maxRows) {
        public static Execute read(ByteBuf body) {
            ByteBuf b = body.duplicate();
            return FrontendMessages.read(() -> new Execute(WireStrings.read(b), b.readInt()));
        }
    }

    /** Name of the statement a Parse defines, or the portal and statement a Bind names. */
    public static String firstString(ByteBuf body) {
        return WireStrings.read(body.duplicate());
    }

    // ------------------------------------------------------------------ encoders

    /** Flush, shared: it has no body, so one unreleasable buffer serves every session. */
    private static final ByteBuf FLUSH = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(new byte[] {FrontendType.FLUSH, 0, 0, 0, 4}));

    public static ByteBuf query(ByteBufAllocator alloc, String sql) {
        ByteBuf b = begin(alloc, FrontendType.QUERY);
        WireStrings.write(b, sql);
        return finish(b);
    }

    public static ByteBuf parse(ByteBufAllocator alloc, String statementName, String sql, int[] parameterTypeOids) {
        ByteBuf b = begin(alloc, FrontendType.PARSE);
        WireStrings.write(b, statementName);
        WireStrings.write(b, sql);
        b.writeShort(parameterTypeOids.length);
        for (int oid : parameterTypeOids) {
            b.writeInt(oid);
        }
        return finish(b);
    }

    /** Bind; a null entry in {@code values} is SQL NULL. */
    public static ByteBuf bind(ByteBufAllocator alloc, String portalName, String statementName, short[] parameterFormats,
                               byte[][] values, short[] resultFormats) {
        ByteBuf b = begin(alloc, FrontendType.BIND);
        WireStrings.write(b, portalName);
        WireStrings.write(b, statementName);
        writeShorts(b, parameterFormats);
        b.writeShort(values.length);
        for (byte[] v : values) {
            if (v == null) {
                b.writeInt(-1);
            } else {
                b.writeInt(v.length).writeBytes(v);
            }
        }
        writeShorts(b, resultFormats);
        return finish(b);
    }

    /** Describe of a statement or portal ({@link FrontendType#TARGET_STATEMENT}, {@link FrontendType#TARGET_PORTAL}). */
    public static ByteBuf describe(ByteBufAllocator alloc, byte kind, String name) {
        return target(alloc, FrontendType.DESCRIBE, kind, name);
    }

    /** Close of a statement or portal ({@link FrontendType#TARGET_STATEMENT}, {@link FrontendType#TARGET_PORTAL}). */
    public static ByteBuf close(ByteBufAllocator alloc, byte kind, String name) {
        return target(alloc, FrontendType.CLOSE, kind, name);
    }

    public static ByteBuf execute(ByteBufAllocator alloc, String portalName, int maxRows) {
        ByteBuf b = begin(alloc, FrontendType.EXECUTE);
        WireStrings.write(b, portalName);
        b.writeInt(maxRows);
        return finish(b);
    }

    public static ByteBuf sync(ByteBufAllocator alloc) {
        return finish(begin(alloc, FrontendType.SYNC));
    }

    /** Flush; the buffer is shared and never freed, so releasing it is harmless. */
    public static ByteBuf flush() {
        return FLUSH.duplicate();
    }

    /** CancelRequest, the untyped packet sent on a connection of its own. */
    public static ByteBuf cancelRequest(ByteBufAllocator alloc, int processId, byte[] secretKey) {
        ByteBuf b = alloc.buffer(12 + secretKey.length);
        b.writeInt(12 + secretKey.length);
        b.writeInt(StartupPacket.CANCEL_REQUEST_CODE);
        b.writeInt(processId);
        b.writeBytes(secretKey);
        return b;
    }

    private static ByteBuf target(ByteBufAllocator alloc, byte type, byte kind, String name) {
        ByteBuf b = begin(alloc, type);
        b.writeByte(kind);
        WireStrings.write(b, name);
        return finish(b);
    }

    private static void writeShorts(ByteBuf b, short[] values) {
        b.writeShort(values.length);
        for (short v : values) {
            b.writeShort(v);
        }
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
}
