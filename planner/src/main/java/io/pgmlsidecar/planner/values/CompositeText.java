package io.pgmlsidecar.planner.values;

import java.util.ArrayList;
import java.util.List;

/** PostgreSQL's text form of a row value, {@code (1,"a b",,"say ""hi""")}, split into its fields. */
public final class CompositeText {
    private CompositeText() {}

    public static boolean looksLikeRow(String text) {
        return text != null && text.startsWith("(") && text.endsWith(")");
    }

    /** The fields' text values; an empty unquoted field is NULL (null), a quoted empty one "". */
    public static List<String> parse(String text) {
        if (!looksLikeRow(text)) {
            throw new IllegalArgumentException("not a row value: " + text);
        }
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean sawQuote = false;
        for (int i = 1; i < text.length() - 1; i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < text.length() - 1) {
                    field.append(text.charAt(++i));
                } else if (c == '"' && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                sawQuote = true;
            } else if (c == ',') {
                out.add(field.isEmpty() && !sawQuote ? null : field.toString());
                field.setLength(0);
                sawQuote = false;
            } else if (c == '\\' && i + 1 < text.length() - 1) {
                field.append(text.charAt(++i));
            } else {
                field.append(c);
            }
        }
        out.add(field.isEmpty() && !sawQuote ? null : field.toString());
        return out;
    }
}
