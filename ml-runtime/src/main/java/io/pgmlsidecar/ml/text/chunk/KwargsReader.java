package io.pgmlsidecar.ml.text.chunk;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed access to pgml.chunk's kwargs (a JSON object as Jackson parses it). Python would pass them to the
 * splitter's constructor, so an unknown name is an error, as is a value of the wrong type.
 */
final class KwargsReader {
    private final String splitter;
    private final Map<String, Object> kwargs;

    KwargsReader(String splitter, Map<String, Object> kwargs, Set<String> accepted) {
        this.splitter = splitter;
        this.kwargs = kwargs == null ? Map.of() : kwargs;
        for (String key : new TreeSet<>(this.kwargs.keySet())) {
            if (!accepted.contains(key)) {
                throw new ChunkingException("unknown argument " + PyText.quoted(key) + " for the " + splitter + " splitter",
                        "accepted arguments: " + String.join(", ", new TreeSet<>(accepted)));
            }
        }
    }

    long integer(String key, long defaultValue) {
        Object v = kwargs.get(key);
        if (v == null && !kwargs.containsKey(key)) {
            return defaultValue;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger b && b.bitLength() < 64) {
            return b.longValue();
        }
        if ((v instanceof Double || v instanceof Float || v instanceof BigDecimal) && isIntegral((Number) v)) {
            return ((Number) v).longValue();
        }
        throw wrongType(key, v, "an integer");
    }

    boolean bool(String key, boolean defaultValue) {
        Object v = kwargs.get(key);
        if (v == null && !kwargs.containsKey(key)) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, v, "true or false");
    }

    String string(String key, String defaultValue) {
        Object v = kwargs.get(key);
        if (v == null && !kwargs.containsKey(key)) {
            return defaultValue;
        }
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, v, "a string");
    }

    /** A list of strings; null when absent or JSON null (LangChain then uses its default list). */
    List<String> stringList(String key) {
        Object v = kwargs.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> list && list.stream().allMatch(e -> e instanceof String)) {
            List<String> out = new ArrayList<>(list.size());
            list.forEach(e -> out.add((String) e));
            return out;
        }
        throw wrongType(key, v, "an array of strings");
    }

    /** {@code keep_separator}: true (= "start"), false, "start" or "end". */
    KeepSeparator keepSeparator(KeepSeparator defaultValue) {
        Object v = kwargs.get("keep_separator");
        if (v == null && !kwargs.containsKey("keep_separator")) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b ? KeepSeparator.START : KeepSeparator.NONE;
        }
        if ("start".equals(v)) {
            return KeepSeparator.START;
        }
        if ("end".equals(v)) {
            return KeepSeparator.END;
        }
        throw wrongType("keep_separator", v, "true, false, \"start\" or \"end\"");
    }

    /** Lengths are counted in characters; a JSON kwarg cannot carry another Python callable. */
    void requireLengthFunctionLen() {
        Object v = kwargs.get("length_function");
        if (kwargs.containsKey("length_function") && !"len".equals(v)) {
            throw new ChunkingException("length_function " + describe(v) + " is not supported: chunks are measured in"
                    + " characters (Python's len)", "leave length_function out, or pass \"len\"");
        }
    }

    private ChunkingException wrongType(String key, Object value, String expected) {
        return new ChunkingException(key + " must be " + expected + " for the " + splitter + " splitter, got " + describe(value),
                "example: pgml.chunk('" + splitter + "', text, '{\"chunk_size\": 1000, \"chunk_overlap\": 100}')");
    }

    private static boolean isIntegral(Number n) {
        double d = n.doubleValue();
        return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 0x1p63;
    }

    private static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return "the string " + PyText.quoted(s);
        }
        if (v instanceof List<?>) {
            return "an array";
        }
        if (v instanceof Map<?, ?>) {
            return "an object";
        }
        return v.toString();
    }
}
