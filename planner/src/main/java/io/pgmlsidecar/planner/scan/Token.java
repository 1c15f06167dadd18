package io.pgmlsidecar.planner.scan;

/**
 * A lexical token of a PostgreSQL statement; {@code start}/{@code end} are offsets into the
 * original text (end exclusive), so a rewrite can splice the text exactly.
 */
public record Token(Kind kind, int start, int end, String text) {

    public enum Kind { IDENTIFIER, QUOTED_IDENTIFIER, STRING, NUMBER, PARAMETER, OPERATOR, PUNCT }

    public boolean is(Kind k, String s) {
        return kind == k && text.equalsIgnoreCase(s);
    }

    public boolean isPunct(char c) {
        return kind == Kind.PUNCT && text.length() == 1 && text.charAt(0) == c;
    }

    public boolean isKeyword(String word) {
        return kind == Kind.IDENTIFIER && text.equalsIgnoreCase(word);
    }

    /** Identifier value as PostgreSQL folds it: unquoted lower-cased, quoted as written. */
    public String identifierValue() {
        return switch (kind) {
            case IDENTIFIER -> text.toLowerCase(java.util.Locale.ROOT);
            case QUOTED_IDENTIFIER -> text.substring(1, text.length() - 1).replace("\"\"", "\"");
            default -> text;
        };
    }
}
