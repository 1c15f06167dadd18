package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.planner.values.BinaryNumericArrays;
import io.pgmlsidecar.planner.values.NumericArrays;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;

/**
 * How a training relation's columns are fetched and read, chosen once per column from its type:
 * numeric arrays in PostgreSQL's binary format, everything else as text. A value comes out as the
 * tabular engine takes it: Double, Boolean, double[] (arrays flattened) or String; null for NULL.
 */
final class ColumnReaders {
    private ColumnReaders() {}

    /** The result format code to ask for: 1 (binary) for numeric arrays, 0 (text) otherwise. */
    static short format(String typeName) {
        return BinaryNumericArrays.supports(typeName.toLowerCase(Locale.ROOT)) ? (short) 1 : (short) 0;
    }

    /** Reads values sent in {@link #format}. */
    static Function<byte[], Object> reader(String typeName) {
        String t = typeName.toLowerCase(Locale.ROOT);
        if (BinaryNumericArrays.supports(t)) {
            return v -> v == null ? null : BinaryNumericArrays.parse(v);
        }
        if (t.startsWith("_")) {
            return v -> v == null ? null : NumericArrays.parse(ascii(v));
        }
        return switch (t) {
            case "bool" -> v -> v == null ? null : v.length == 1 && v[0] == 't';
            case "int2", "int4", "int8", "float4", "float8", "numeric", "oid" -> v -> v == null ? null : NumericArrays.number(ascii(v));
            default -> v -> v == null ? null : new String(v, StandardCharsets.UTF_8);
        };
    }

    /** Numbers and numeric arrays print in ASCII: a Latin-1 decode is exact and skips UTF-8 validation. */
    private static String ascii(byte[] v) {
        return new String(v, StandardCharsets.ISO_8859_1);
    }
}
