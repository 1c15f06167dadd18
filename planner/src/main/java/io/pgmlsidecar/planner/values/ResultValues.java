package io.pgmlsidecar.planner.values;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Results the sidecar computes (Float, Double, Long, Boolean, float[], String for text and jsonb)
 * in PostgreSQL's text and binary wire forms, by result type.
 */
public final class ResultValues {
    private ResultValues() {}

    public static final int VOID = 2278;

    /** The text form PostgreSQL would print; null stays null. */
    public static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof float[] v) {
            return Float4Arrays.toText(v);
        }
        if (value instanceof Boolean b) {
            return b ? "t" : "f";
        }
        if (value instanceof Float f) {
            return PgFloats.toText(f);
        }
        if (value instanceof Double d) {
            return PgFloats.toText(d);
        }
        return value.toString();
    }

    /** The DataRow field in format 0 (text) or 1 (binary). */
    public static byte[] encode(int typeOid, Object value, short format) {
        if (value == null) {
            return null;
        }
        if (format != 1) {
            return text(value).getBytes(StandardCharsets.UTF_8);
        }
        return switch (typeOid) {
            case PgTypes.FLOAT4 -> ByteBuffer.allocate(4).putFloat(((Number) value).floatValue()).array();
            case PgTypes.FLOAT8 -> ByteBuffer.allocate(8).putDouble(((Number) value).doubleValue()).array();
            case PgTypes.INT8 -> ByteBuffer.allocate(8).putLong(((Number) value).longValue()).array();
            case PgTypes.BOOL -> new byte[] {(byte) (Boolean.TRUE.equals(value) ? 1 : 0)};
            case PgTypes.FLOAT4_ARRAY -> Float4Arrays.toBinary((float[]) value);
            case PgTypes.TEXT_ARRAY -> textArrayBinary(TextArrays.parse(text(value)));
            case PgTypes.JSONB -> jsonbBinary(text(value));
            case VOID -> new byte[0];
            default -> text(value).getBytes(StandardCharsets.UTF_8);
        };
    }

    /** The type's length as RowDescription reports it (-1 for variable length). */
    public static short typeSize(int typeOid) {
        return switch (typeOid) {
            case PgTypes.BOOL -> 1;
            case PgTypes.FLOAT4, VOID -> 4;
            case PgTypes.FLOAT8, PgTypes.INT8 -> 8;
            default -> -1;
        };
    }

    /** The SQL name of a result type, for casts in rewritten statements. */
    public static String sqlName(int typeOid) {
        return switch (typeOid) {
            case PgTypes.FLOAT4 -> "real";
            case PgTypes.FLOAT8 -> "double precision";
            case PgTypes.INT8 -> "bigint";
            case PgTypes.BOOL -> "boolean";
            case PgTypes.FLOAT4_ARRAY -> "real[]";
            case PgTypes.JSONB -> "jsonb";
            case PgTypes.TEXT -> "text";
            case VOID -> "void";
            default -> throw new IllegalArgumentException("no SQL name for type " + typeOid);
        };
    }

    /** A typed SQL literal for splicing into a statement. */
    public static String literal(int typeOid, Object value) {
        String type = sqlName(typeOid);
        return value == null ? "NULL::" + type : "'" + text(value).replace("'", "''") + "'::" + type;
    }

    private static byte[] jsonbBinary(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[body.length + 1];
        out[0] = 1; // jsonb binary format version
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** text[] in binary: one dimension, lower bound 1, element type text. */
    private static byte[] textArrayBinary(java.util.List<String> values) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(out);
        try {
            boolean nulls = values.contains(null);
            d.writeInt(values.isEmpty() ? 0 : 1);
            d.writeInt(nulls ? 1 : 0);
            d.writeInt(PgTypes.TEXT);
            if (!values.isEmpty()) {
                d.writeInt(values.size());
                d.writeInt(1);
            }
            for (String v : values) {
                if (v == null) {
                    d.writeInt(-1);
                } else {
                    byte[] b = v.getBytes(StandardCharsets.UTF_8);
                    d.writeInt(b.length);
                    d.write(b);
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
