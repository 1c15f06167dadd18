package io.pgmlsidecar.dashboard;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * A failure the browser is told about: the HTTP status, and PostgreSQL's SQLSTATE, message and hint
 * where the database refused (a permission, a bad statement), so the page says what PostgreSQL said.
 */
final class ApiError extends RuntimeException {
    final int status;
    final String sqlstate;
    final String hint;
    /** The role's connection is gone (PostgreSQL ended it, the network broke): the login is over. */
    final boolean connectionLost;

    ApiError(int status, String sqlstate, String message, String hint) {
        this(status, sqlstate, message, hint, false);
    }

    private ApiError(int status, String sqlstate, String message, String hint, boolean connectionLost) {
        super(message);
        this.status = status;
        this.sqlstate = sqlstate;
        this.hint = hint;
        this.connectionLost = connectionLost;
    }

    /** A failure that ended the connection: the browser is sent back to the login. */
    ApiError lostConnection() {
        return new ApiError(401, sqlstate, getMessage(), "the database connection was lost; log in again", true);
    }

    static ApiError notFound(String what) {
        return new ApiError(404, null, what + " not found (or not readable by this role)", null);
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, null, message, null);
    }

    /** PostgreSQL's error as the role saw it; privilege errors are 403, the others 400. */
    static ApiError fromSql(SQLException e) {
        String state = e.getSQLState();
        String hint = null;
        String message = e.getMessage();
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            hint = m.getHint();
            message = m.getMessage();
        }
        if ("42501".equals(state) && hint == null) {
            hint = "ask the database's owner to GRANT this role USAGE on schema pgml and SELECT on its tables";
        }
        int status = "42501".equals(state) ? 403 : state != null && state.startsWith("08") ? 503 : 400;
        return new ApiError(status, state, message, hint);
    }
}
