package io.pgmlsidecar.planner.values;

import java.math.BigDecimal;

/**
 * real and double precision in PostgreSQL's text output (shortest exact digits, as PostgreSQL 12+
 * prints them with the default extra_float_digits): {@code 0}, {@code 1.5}, {@code 1e+06},
 * {@code 2.5e-05}; exponent form below 1e-4 and from 1e6 (real) or 1e15 (double precision).
 */
public final class PgFloats {
    private PgFloats() {}

    public static String toText(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            return special(f);
        }
        // Float.toString gives the shortest digits that read back exactly (JDK 19+)
        return format(Float.toString(f), 6);
    }

    public static String toText(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return special(d);
        }
        return format(Double.toString(d), 15);
    }

    private static String format(String javaText, int firstExponentialPower) {
        BigDecimal d = new BigDecimal(javaText);
        if (d.signum() == 0) {
            return javaText.startsWith("-") ? "-0" : "0";
        }
        d = d.stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        String sign = d.signum() < 0 ? "-" : "";
        if (exponent < -4 || exponent >= firstExponentialPower) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int abs = Math.abs(exponent);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (abs < 10 ? "0" : "") + abs;
        }
        return sign + d.abs().toPlainString();
    }

    private static String special(double v) {
        return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    }
}
