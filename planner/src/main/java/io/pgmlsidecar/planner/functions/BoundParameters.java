package io.pgmlsidecar.planner.functions;

import io.pgmlsidecar.planner.values.PgTypes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The statement parameters of one execution: types, a format code per parameter (0 text,
 * 1 binary) and the raw values (null = SQL NULL).
 */
public record BoundParameters(int[] typeOids, short[] formats, byte[][] values) {

    public static final BoundParameters NONE = new BoundParameters(new int[0], new short[0], new byte[0][]);

    /** From a Bind's format codes, which may be none (all text), one (for all) or one each. */
    public static BoundParameters of(int[] typeOids, short[] bindFormats, byte[][] values) {
        short[] formats = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            formats[i] = bindFormats.length == 0 ? 0 : bindFormats.length == 1 ? bindFormats[0] : bindFormats[i];
        }
        int[] oids = Arrays.copyOf(typeOids, Math.max(typeOids.length, values.length));
        return new BoundParameters(oids, formats, values);
    }

    public int count() {
        return values.length;
    }

    /**
     * The text value of parameter {@code n} (1-based) when it can be read without PostgreSQL:
     * any text-format value, or a binary value of a text-like or json type.
     */
    public LocalValue localText(int n) {
        int i = n - 1;
        if (i < 0 || i >= values.length) {
            return null;
        }
        byte[] v = values[i];
        if (v == null) {
            return new LocalValue(null);
        }
        if (formats[i] == 0 || PgTypes.isTextLike(typeOids[i]) || typeOids[i] == PgTypes.JSON) {
            return new LocalValue(new String(v, StandardCharsets.UTF_8));
        }
        if (typeOids[i] == PgTypes.JSONB && v.length > 0 && v[0] == 1) {
            return new LocalValue(new String(v, 1, v.length - 1, StandardCharsets.UTF_8));
        }
        return null;
    }

    /** A value read locally; {@code text} null is SQL NULL. */
    public record LocalValue(String text) {}
}
