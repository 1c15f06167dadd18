package io.pgmlsidecar.planner.values;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** {@code real[]} values in PostgreSQL's text and binary wire formats. */
public final class Float4Arrays {
    private Float4Arrays() {}

    /** Text form {@code {0.1,-0.00025,1e+06}}, as PostgreSQL prints real[]. */
    public static String toText(float[] v) {
        StringBuilder sb = new StringBuilder(v.length * 12 + 2).append('{');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(PgFloats.toText(v[i]));
        }
        return sb.append('}').toString();
    }

    /** Binary array form: ndim, has-null flag, element type, dimension and lower bound, then elements. */
    public static byte[] toBinary(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(20 + v.length * 8);
        b.putInt(1).putInt(0).putInt(PgTypes.FLOAT4).putInt(v.length).putInt(1);
        for (float f : v) {
            b.putInt(4).putFloat(f);
        }
        return b.array();
    }

    /** The value as a DataRow field in format {@code format} (0 text, 1 binary); null stays null. */
    public static byte[] encode(float[] v, short format) {
        if (v == null) {
            return null;
        }
        return format == 1 ? toBinary(v) : toText(v).getBytes(StandardCharsets.UTF_8);
    }

    /** A SQL literal of type real[]. */
    public static String literal(float[] v) {
        return v == null ? "NULL::real[]" : "'" + toText(v) + "'::real[]";
    }
}
