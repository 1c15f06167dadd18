package io.pgmlsidecar.spark.job;

import java.sql.SQLException;

/**
 * A failure the sidecar reports to its client as a PostgreSQL error: SQLSTATE, message, hint. Serializable, so an
 * executor's failure reaches the driver whole (Spark keeps a task's exception as the job failure's cause).
 */
final class JobFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final String sqlState;
    final String hint;

    JobFailure(String sqlState, String message, String hint) {
        super(message);
        this.sqlState = sqlState;
        this.hint = hint;
    }

    /** PostgreSQL's own error (permission denied, no such relation, …) as the server sent it. */
    static JobFailure of(SQLException e) {
        String hint = null;
        if (e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null) {
            hint = p.getServerErrorMessage().getHint();
            String message = p.getServerErrorMessage().getMessage();
            return new JobFailure(e.getSQLState() == null ? "58000" : e.getSQLState(), message, hint);
        }
        return new JobFailure(e.getSQLState() == null ? "58000" : e.getSQLState(), e.getMessage(), null);
    }

    /** The failure behind {@code t}: a JobFailure or SQLException anywhere in its causes, else an internal error. */
    static JobFailure from(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof JobFailure f) {
                return f;
            }
            if (c instanceof SQLException s) {
                return of(s);
            }
        }
        String message = t.getMessage() == null ? t.toString() : t.getMessage();
        // a task's exception that Spark could not keep as a cause still names its SQLSTATE in the text
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("JobFailure\\[(\\w{5})]: ([^\\n]*)").matcher(message);
        if (m.find()) {
            return new JobFailure(m.group(1), m.group(2), null);
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String first = message.lines().findFirst().orElse(message);
        String because = root == t ? "" : " (caused by " + root + ")";
        return new JobFailure("XX000", "the Spark job failed: " + first + because, null);
    }

    @Override
    public String toString() {
        return "JobFailure[" + sqlState + "]: " + getMessage();
    }
}
