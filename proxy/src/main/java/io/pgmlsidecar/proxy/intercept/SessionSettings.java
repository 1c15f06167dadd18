package io.pgmlsidecar.proxy.intercept;

/**
 * Settings of a session that PostgreSQL does not report with ParameterStatus but that the sidecar's own work must
 * honour: {@code statement_timeout} (0 = none) bounds what the sidecar does for a statement, as it bounds
 * PostgreSQL's work; {@code current_user} (changed by SET ROLE) is whom cached answers are for.
 */
public record SessionSettings(long statementTimeoutMillis, String currentRole) {

    /** PostgreSQL's display of a millisecond setting ({@code 0}, {@code 1500ms}, {@code 5s}, {@code 2min}, {@code 1h}, {@code 1d}). */
    public static long parseMillis(String shown) {
        String s = shown.trim();
        int unitAt = 0;
        while (unitAt < s.length() && (Character.isDigit(s.charAt(unitAt)) || s.charAt(unitAt) == '-')) {
            unitAt++;
        }
        long amount = Long.parseLong(s.substring(0, unitAt));
        long perUnit = switch (s.substring(unitAt).trim()) {
            case "", "ms" -> 1;
            case "s" -> 1_000;
            case "min" -> 60_000;
            case "h" -> 3_600_000;
            case "d" -> 86_400_000;
            default -> throw new IllegalArgumentException("unexpected statement_timeout display: " + shown);
        };
        return Math.max(0, amount) * perUnit;
    }

    /** As PostgreSQL shows it, for messages. */
    public String statementTimeoutShown() {
        long ms = statementTimeoutMillis;
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
