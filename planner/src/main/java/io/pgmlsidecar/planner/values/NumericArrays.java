package io.pgmlsidecar.planner.values;

import java.util.Arrays;

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

    /**
     * All numbers of a (possibly nested) numeric array literal, in order; NULL elements are NaN.
     * Scans the text once without boxing: training reads and batch predictions parse millions of
     * elements, most of them plain integers, which take a digit loop instead of Double.parseDouble.
     */
    public static double[] parse(String arrayText) {
        double[] out = new double[16];
        int n = 0;
        int start = arrayText.startsWith("[") ? arrayText.indexOf('=') + 1 : 0;
        int tokenStart = -1;
        for (int i = start, len = arrayText.length(); i <= len; i++) {
            char c = i < len ? arrayText.charAt(i) : '}';
            if (c == '{' || c == ' ' || c == ',' || c == '}') {
                if (tokenStart >= 0) {
                    if (n == out.length) {
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = element(arrayText, tokenStart, i);
                    tokenStart = -1;
                }
            } else if (tokenStart < 0) {
                tokenStart = i;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static double element(String s, int from, int to) {
        int i = from;
        boolean negative = s.charAt(i) == '-';
        if (negative) {
            i++;
        }
        // integers of up to 18 digits are exact in a long; anything else goes to the general parser
        if (i < to && to - i <= 18) {
            long v = 0;
            int j = i;
            while (j < to) {
                char d = s.charAt(j);
                if (d < '0' || d > '9') {
                    break;
                }
                v = v * 10 + (d - '0');
                j++;
            }
            if (j == to) {
                return negative ? -(double) v : (double) v;
            }
        }
        String token = s.substring(from, to);
        if (token.equalsIgnoreCase("NULL")) {
            return Double.NaN;
        }
        if (token.equals("t")) {
            return 1.0;
        }
        if (token.equals("f")) {
            return 0.0;
        }
        return number(token);
    }
}
