package io.pgmlsidecar.proxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.function.Supplier;

/**
 * Readers for the frontend messages the session inspects; one record per message. A body that
 * ends too early is the client's {@link ProtocolViolation}, as in PostgreSQL.
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

    /** Describe or Close: {@code kind} is 'S' (statement) or 'P' (portal). */
    public record Target(byte kind, String name) {
        public static Target read(ByteBuf body) {
            ByteBuf b = body.duplicate();
            if (!b.isReadable()) {
                throw new ProtocolViolation("insufficient data left in message");
            }
            byte kind = b.readByte();
            if (kind != 'S' && kind != 'P') {
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
}
