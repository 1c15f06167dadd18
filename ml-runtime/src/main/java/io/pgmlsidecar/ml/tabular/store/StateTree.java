package io.pgmlsidecar.ml.tabular.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a stored state document into maps, lists and values, turning every all-number array straight
 * into a {@code double[]} (a tree of boxed nodes would cost ~30 bytes per number of a large forest).
 */
final class StateTree {
    private StateTree() {
    }

    static Object parse(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new IOException("empty model document");
        }
        return value(p, t, 0);
    }

    private static Object value(JsonParser p, JsonToken t, int depth) throws IOException {
        if (depth > 64) {
            throw new IOException("model document nested deeper than 64 levels");
        }
        return switch (t) {
            case START_OBJECT -> object(p, depth);
            case START_ARRAY -> array(p, depth);
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case VALUE_EMBEDDED_OBJECT -> p.getBinaryValue();
            default -> throw new IOException("unexpected " + t + " in the model document");
        };
    }

    private static Map<String, Object> object(JsonParser p, int depth) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            out.put(name, value(p, p.nextToken(), depth + 1));
        }
        if (t != JsonToken.END_OBJECT) {
            throw new IOException("unterminated map in the model document");
        }
        return out;
    }

    private static Object array(JsonParser p, int depth) throws IOException {
        double[] numbers = new double[16];
        int n = 0;
        JsonToken t = p.nextToken();
        while (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
            if (n == numbers.length) {
                numbers = Arrays.copyOf(numbers, n * 2);
            }
            numbers[n++] = p.getDoubleValue();
            t = p.nextToken();
        }
        if (t == JsonToken.END_ARRAY) {
            return Arrays.copyOf(numbers, n);
        }
        // a mixed or non-numeric array: keep what was read as boxed values
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(numbers[i]);
        }
        while (t != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new IOException("unterminated array in the model document");
            }
            out.add(value(p, t, depth + 1));
            t = p.nextToken();
        }
        return out;
    }
}
