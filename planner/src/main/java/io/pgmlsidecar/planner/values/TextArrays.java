package io.pgmlsidecar.planner.values;

import java.util.ArrayList;
import java.util.List;

/** Reads PostgreSQL's text output of a one-dimensional array ({@code {a,"b c",NULL}}). */
public final class TextArrays {
    private TextArrays() {}

    public static List<String> parse(String s) {
        if (s == null) {
            return null;
        }
        int i = 0;
        if (s.startsWith("[")) {
            i = s.indexOf('=') + 1; // explicit bounds such as [0:2]={…}
        }
        if (i >= s.length() || s.charAt(i) != '{') {
            throw new IllegalArgumentException("not an array literal: " + s);
        }
        List<String> out = new ArrayList<>();
        i++;
        if (i < s.length() && s.charAt(i) == '}') {
            return out;
        }
        while (i < s.length()) {
            StringBuilder sb = new StringBuilder();
            boolean quoted = false;
            if (s.charAt(i) == '"') {
                quoted = true;
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\') {
                        i++;
                    }
                    sb.append(s.charAt(i++));
                }
                i++; // closing quote
            } else {
                while (i < s.length() && s.charAt(i) != ',' && s.charAt(i) != '}') {
                    sb.append(s.charAt(i++));
                }
            }
            String element = sb.toString();
            out.add(!quoted && element.equalsIgnoreCase("NULL") ? null : element);
            if (i >= s.length() || s.charAt(i) == '}') {
                break;
            }
            i++; // comma
        }
        return out;
    }

    /** Text form of a text[] value, quoting every element. */
    public static String toText(List<String> values) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String v = values.get(i);
            if (v == null) {
                sb.append("NULL");
            } else {
                sb.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return sb.append('}').toString();
    }
}
