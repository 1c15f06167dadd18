package io.pgmlsidecar.planner.values;

import java.util.ArrayList;
import java.util.List;

/** Numeric values and arrays in PostgreSQL's text output (real[], float8[], int[], bool[], nested). */
public final class NumericArrays {
    private NumericArrays() {}

    public static double number(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /** All numbers of a (possibly nested) numeric array literal, in order; NULL elements are NaN. */
    public static double[] parse(String arrayText) {
        List<Double> out = new ArrayList<>();
        StringBuilder token = new StringBuilder();
        int start = arrayText.startsWith("[") ? arrayText.indexOf('=') + 1 : 0;
        for (int i = start; i < arrayText.length(); i++) {
            char c = arrayText.charAt(i);
            if (c == '{' || c == ' ') {
                continue;
            }
            if (c == ',' || c == '}') {
                if (!token.isEmpty()) {
                    String v = token.toString();
                    out.add(v.equalsIgnoreCase("NULL") ? Double.NaN : v.equals("t") ? 1.0 : v.equals("f") ? 0.0 : number(v));
                    token.setLength(0);
                }
                continue;
            }
            token.append(c);
        }
        double[] d = new double[out.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = out.get(i);
        }
        return d;
    }
}
