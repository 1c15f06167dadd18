package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.planner.values.SqlLiterals;
import java.lang.reflect.Array;

/** SQL literals for the Java values of a loaded data set. */
final class SqlValues {
    private SqlValues() {}

    static String literal(Object v, String pgType) {
        if (v == null) {
            return "NULL";
        }
        if (v.getClass().isArray()) {
            return SqlLiterals.quote(arrayText(v)) + "::" + pgType;
        }
        if (v instanceof Number || v instanceof Boolean) {
            String s = v.toString();
            return s.equals("NaN") || s.contains("Infinity") ? "'" + s + "'::" + pgType : s;
        }
        return SqlLiterals.quote(v.toString()) + "::" + pgType;
    }

    private static String arrayText(Object array) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < Array.getLength(array); i++) {
            Object e = Array.get(array, i);
            sb.append(i > 0 ? "," : "").append(e != null && e.getClass().isArray() ? arrayText(e) : String.valueOf(e));
        }
        return sb.append('}').toString();
    }
}
