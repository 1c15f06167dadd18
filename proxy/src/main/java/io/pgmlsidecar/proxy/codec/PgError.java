package io.pgmlsidecar.proxy.codec;

/**
 * The fields of an ErrorResponse or NoticeResponse the sidecar writes itself.
 * {@code severity} is ERROR, FATAL, WARNING, NOTICE, …; {@code detail}, {@code hint} may be null;
 * {@code position} is 1-based in the statement text, 0 when not applicable.
 */
public record PgError(String severity, String sqlState, String message, String detail, String hint, int position) {

    public static PgError error(String sqlState, String message, String hint) {
        return new PgError("ERROR", sqlState, message, null, hint, 0);
    }

    public static PgError fatal(String sqlState, String message, String hint) {
        return new PgError("FATAL", sqlState, message, null, hint, 0);
    }

    public PgError withDetail(String newDetail) {
        return new PgError(severity, sqlState, message, newDetail, hint, position);
    }

    public PgError withPosition(int newPosition) {
        return new PgError(severity, sqlState, message, detail, hint, newPosition);
    }
}
