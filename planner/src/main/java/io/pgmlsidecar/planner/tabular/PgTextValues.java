package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.planner.values.NumericArrays;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;

/** Reads PostgreSQL's text output of the column types a training relation may have. */
final class PgTextValues {
    private PgTextValues() {}

    /**
     * The reader of one column's values, chosen once per column: a value as the tabular engine
     * takes it, Double, Boolean, double[] (arrays flattened) or String; null for NULL.
     */
    static Function<byte[], Object> reader(String typeName) {
        String t = typeName.toLowerCase(Locale.ROOT);
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
