package io.pgmlsidecar.planner.values;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON as PostgreSQL prints a jsonb value: object keys ordered by length then bytes (jsonb's
 * storage order), ", " and ": " separators, numbers and strings as written.
 */
public final class JsonbText {
    private JsonbText() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<String> JSONB_KEY_ORDER = Comparator.<String>comparingInt(k -> k.getBytes(StandardCharsets.UTF_8).length)
            .thenComparing((a, b) -> java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));

    public static String of(Object value) {
        return of(JSON.valueToTree(value));
    }

    public static String of(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        write(node, sb);
        return sb.toString();
    }

    private static void write(JsonNode node, StringBuilder sb) {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                fields.add(it.next());
            }
            fields.sort(Map.Entry.comparingByKey(JSONB_KEY_ORDER));
            sb.append('{');
            for (int i = 0; i < fields.size(); i++) {
                sb.append(i > 0 ? ", " : "");
                sb.append(quote(fields.get(i).getKey())).append(": ");
                write(fields.get(i).getValue(), sb);
            }
            sb.append('}');
        } else if (node.isArray()) {
            sb.append('[');
            for (int i = 0; i < node.size(); i++) {
                sb.append(i > 0 ? ", " : "");
                write(node.get(i), sb);
            }
            sb.append(']');
        } else if (node.isTextual()) {
            sb.append(quote(node.textValue()));
        } else if (node.isNull()) {
            sb.append("null");
        } else if (node.isDouble() || node.isFloat()) {
            // jsonb keeps numbers as numeric: plain decimal notation
            sb.append(new java.math.BigDecimal(node.asText()).toPlainString());
        } else {
            sb.append(node.asText());
        }
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
