package io.pgmlsidecar.ml.tabular.store;

import io.pgmlsidecar.ml.tabular.TabularException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads one map of a stored model's state, as {@link StateWriter} wrote it. A missing or mistyped field
 * is a {@link TabularException} naming the field and the map, so a model written by an incompatible
 * build fails with a clear message instead of predicting nonsense. Fields added by a later version of
 * a type are read with the {@code orDefault} getters.
 */
public final class StateReader {
    private final Map<String, Object> fields;
    private final String where;

    StateReader(Map<String, Object> fields, String where) {
        this.fields = fields;
        this.where = where;
    }

    public boolean has(String name) {
        return fields.get(name) != null;
    }

    private Object required(String name) {
        Object v = fields.get(name);
        if (v == null && !fields.containsKey(name)) {
            throw new TabularException("the stored model lacks the field \"" + name + "\" of " + where,
                    "it was written by a build with another format for this estimator; retrain the project");
        }
        return v;
    }

    private TabularException mistyped(String name, String expected) {
        return new TabularException("the stored model's field \"" + name + "\" of " + where + " is not " + expected,
                "the stored bytes are damaged or were written by an incompatible build; retrain the project");
    }

    private Number number(String name) {
        if (required(name) instanceof Number n) {
            return n;
        }
        throw mistyped(name, "a number");
    }

    public double getDouble(String name) {
        return number(name).doubleValue();
    }

    public double getDouble(String name, double orDefault) {
        return has(name) ? getDouble(name) : orDefault;
    }

    public long getLong(String name) {
        return number(name).longValue();
    }

    public int getInt(String name) {
        long v = getLong(name);
        if (v != (int) v) {
            throw mistyped(name, "an int");
        }
        return (int) v;
    }

    public int getInt(String name, int orDefault) {
        return has(name) ? getInt(name) : orDefault;
    }

    public boolean getBoolean(String name) {
        if (required(name) instanceof Boolean b) {
            return b;
        }
        throw mistyped(name, "a boolean");
    }

    public boolean getBoolean(String name, boolean orDefault) {
        return has(name) ? getBoolean(name) : orDefault;
    }

    /** Text, or null. */
    public String getString(String name) {
        Object v = required(name);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw mistyped(name, "text");
    }

    public String getString(String name, String orDefault) {
        return has(name) ? getString(name) : orDefault;
    }

    /** A numeric array, or null. */
    public double[] doubles(String name) {
        Object v = required(name);
        if (v == null || v instanceof double[]) {
            return (double[]) v;
        }
        if (v instanceof List<?> l && l.isEmpty()) {
            return new double[0];
        }
        throw mistyped(name, "an array of numbers");
    }

    public int[] ints(String name) {
        double[] d = doubles(name);
        if (d == null) {
            return null;
        }
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (int) d[i];
            if (out[i] != d[i]) {
                throw mistyped(name, "an array of ints");
            }
        }
        return out;
    }

    public double[][] matrix(String name) {
        List<Object> rows = list(name, "an array of number arrays");
        if (rows == null) {
            return null;
        }
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            if (!(rows.get(i) instanceof double[] row)) {
                throw mistyped(name, "an array of number arrays");
            }
            out[i] = row;
        }
        return out;
    }

    public int[][] intMatrix(String name) {
        double[][] d = matrix(name);
        if (d == null) {
            return null;
        }
        int[][] out = new int[d.length][];
        for (int i = 0; i < d.length; i++) {
            out[i] = new int[d[i].length];
            for (int j = 0; j < d[i].length; j++) {
                out[i][j] = (int) d[i][j];
                if (out[i][j] != d[i][j]) {
                    throw mistyped(name, "an array of int arrays");
                }
            }
        }
        return out;
    }

    /** A list of texts (elements may be null), or null. */
    public List<String> strings(String name) {
        List<Object> l = list(name, "an array of texts");
        if (l == null) {
            return null;
        }
        List<String> out = new ArrayList<>(l.size());
        for (Object o : l) {
            if (o != null && !(o instanceof String)) {
                throw mistyped(name, "an array of texts");
            }
            out.add((String) o);
        }
        return out;
    }

    public byte[] bytes(String name) {
        Object v = required(name);
        if (v == null || v instanceof byte[]) {
            return (byte[]) v;
        }
        throw mistyped(name, "a byte string");
    }

    public Map<String, Integer> codes(String name) {
        Object v = required(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw mistyped(name, "a map of codes");
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof Number n)) {
                throw mistyped(name, "a map of codes");
            }
            out.put((String) e.getKey(), n.intValue());
        }
        return out;
    }

    /** A nested map, or null. */
    @SuppressWarnings("unchecked")
    public StateReader object(String name) {
        Object v = required(name);
        if (v == null) {
            return null;
        }
        if (v instanceof Map<?, ?> m) {
            return new StateReader((Map<String, Object>) m, where + "." + name);
        }
        throw mistyped(name, "a map");
    }

    /** A list of maps, each read by {@code item} (null items stay null), or null. */
    @SuppressWarnings("unchecked")
    public <T> List<T> list(String name, Function<StateReader, T> item) {
        List<Object> l = list(name, "an array of maps");
        if (l == null) {
            return null;
        }
        List<T> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            Object o = l.get(i);
            if (o == null) {
                out.add(null);
            } else if (o instanceof Map<?, ?> m) {
                out.add(item.apply(new StateReader((Map<String, Object>) m, where + "." + name + "[" + i + "]")));
            } else {
                throw mistyped(name, "an array of maps");
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(String name, String expected) {
        Object v = required(name);
        if (v == null) {
            return null;
        }
        if (v instanceof double[] d && d.length == 0) {
            return Collections.emptyList();
        }
        if (v instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw mistyped(name, expected);
    }

    @Override
    public String toString() {
        return where + fields.keySet();
    }
}
