package io.pgmlsidecar.planner.values;

import io.pgmlsidecar.planner.scan.Token;

/** Values of constant tokens, so simple arguments need no round trip to PostgreSQL. */
public final class SqlLiterals {
    private SqlLiterals() {}

    /** The string value of a STRING token ('…' or E'…' or $$…$$), or null when it is another kind. */
    public static String stringValue(Token t) {
        if (t.kind() != Token.Kind.STRING) {
            return null;
        }
        String s = t.text();
        if (s.startsWith("$")) {
            int tagEnd = s.indexOf('$', 1) + 1;
            return s.substring(tagEnd, s.length() - tagEnd);
        }
        if (s.startsWith("'") && s.endsWith("'") && s.length() >= 2) {
            return s.substring(1, s.length() - 1).replace("''", "'");
        }
        return null; // E'', U&'', B'' and X'' go through PostgreSQL
    }

    /** A standard SQL string constant for {@code value}. */
    public static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
