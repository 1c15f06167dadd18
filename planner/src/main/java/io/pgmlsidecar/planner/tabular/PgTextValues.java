package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.planner.values.NumericArrays;

/** Reads PostgreSQL's text output of the column types a training relation may have. */
final class PgTextValues {
    private PgTextValues() {}

    /** A value as the tabular engine takes it: Double, Boolean, double[] (arrays flattened) or String. */
    static Object read(String text, String typeName) {
        if (text == null) {
            return null;
        }
        String t = typeName.toLowerCase();
        if (t.startsWith("_")) {
            return NumericArrays.parse(text);
        }
        return switch (t) {
            case "bool" -> text.equals("t");
            case "int2", "int4", "int8", "float4", "float8", "numeric", "oid" -> NumericArrays.number(text);
            default -> text;
        };
    }
}
