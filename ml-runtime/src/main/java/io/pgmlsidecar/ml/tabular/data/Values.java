package io.pgmlsidecar.ml.tabular.data;

import io.pgmlsidecar.ml.tabular.TabularException;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.Collection;

/** Conversions of Java values (as JDBC / the planner hands them over) to features. */
public final class Values {
    private Values() {
    }

    /** A scalar numeric value; null → NaN. Strings are parsed. */
    public static double toDouble(Object v, String column) {
        if (v == null) {
            return Double.NaN;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        if (v instanceof String s) {
            String t = s.trim();
            if (t.equalsIgnoreCase("t") || t.equalsIgnoreCase("true")) {
                return 1.0;
            }
            if (t.equalsIgnoreCase("f") || t.equalsIgnoreCase("false")) {
                return 0.0;
            }
            try {
                return Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new TabularException("column \"" + column + "\" is numeric but has the value '" + s + "'");
            }
        }
        if (v instanceof Character c) {
            return toDouble(String.valueOf(c), column);
        }
        throw new TabularException("column \"" + column + "\" has a value of unsupported type " + v.getClass().getSimpleName());
    }

    /** A category key: text as is; numbers in a canonical form (3.0 → "3"). null stays null. */
    public static String toCategory(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
            return numberKey(((Number) v).doubleValue());
        }
        return String.valueOf(v);
    }

    public static String numberKey(double d) {
        if (Double.isNaN(d)) {
            return null;
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    /** Flattens an array value (Java arrays of any depth, collections, java.sql.Array-like unwrapped by the caller). */
    public static double[] flatten(Object v, String column) {
        if (v == null) {
            return null;
        }
        if (v instanceof double[] flat) {
            return flat; // already flat (e.g. a numeric array read from PostgreSQL): no boxing on the hot path
        }
        java.util.ArrayList<Double> out = new java.util.ArrayList<>();
        flattenInto(v, column, out);
        double[] r = new double[out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = out.get(i);
        }
        return r;
    }

    private static void flattenInto(Object v, String column, java.util.List<Double> out) {
        if (v == null) {
            out.add(Double.NaN);
        } else if (v instanceof double[] a) {
            for (double x : a) {
                out.add(x);
            }
        } else if (v instanceof float[] a) {
            for (float x : a) {
                out.add((double) x);
            }
        } else if (v instanceof Collection<?> c) {
            for (Object o : c) {
                flattenInto(o, column, out);
            }
        } else if (v.getClass().isArray()) {
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) {
                flattenInto(Array.get(v, i), column, out);
            }
        } else {
            out.add(toDouble(v, column));
        }
    }
}
