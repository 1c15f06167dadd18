package io.pgmlsidecar.planner.functions;

import io.pgmlsidecar.planner.scan.Token;
import java.util.List;
import java.util.Set;

/** One argument of a call, as SQL text with its tokens (a default has tokens of its own text). */
public record ArgumentExpression(String sql, List<Token> tokens) {

    private static final Set<String> CONSTANT_WORDS = Set.of("null", "true", "false", "array", "cast", "as", "and",
            "or", "not", "is", "current_date", "current_timestamp", "localtimestamp", "current_user", "session_user",
            "current_time", "localtime", "interval", "distinct", "from", "case", "when", "then", "else", "end");

    /**
     * True when the expression cannot depend on a row: no column reference (identifiers occur only
     * as function names, type names after {@code ::} or {@code AS}, and keywords) and no subquery.
     */
    public boolean isConstant() {
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind() != Token.Kind.IDENTIFIER && t.kind() != Token.Kind.QUOTED_IDENTIFIER) {
                continue;
            }
            if (t.isKeyword("select")) {
                return false;
            }
            if (t.kind() == Token.Kind.IDENTIFIER && CONSTANT_WORDS.contains(t.text().toLowerCase())) {
                continue;
            }
            Token prev = i > 0 ? tokens.get(i - 1) : null;
            Token next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
            if (prev != null && ((prev.kind() == Token.Kind.OPERATOR && prev.text().equals("::")) || prev.isKeyword("as")
                    || isTypeWord(prev))) {
                continue; // a type name (possibly of several words: double precision)
            }
            if (next != null && (next.isPunct('(') || next.isPunct('.'))) {
                continue; // a function name or its schema
            }
            if (prev != null && prev.isPunct('.') && next != null && next.isPunct('(')) {
                continue;
            }
            return false;
        }
        return true;
    }

    private static boolean isTypeWord(Token t) {
        return t.kind() == Token.Kind.IDENTIFIER
                && Set.of("double", "character", "varying", "precision", "with", "without", "time", "zone").contains(t.text().toLowerCase());
    }

    /** The single token, when the expression is exactly one token. */
    public Token single() {
        return tokens.size() == 1 ? tokens.get(0) : null;
    }

    /** Looks like an array: ARRAY[…], a cast to an array type, or a '{…}' literal cast. */
    public boolean looksLikeArray() {
        if (tokens.isEmpty()) {
            return false;
        }
        if (tokens.get(0).isKeyword("array")) {
            return true;
        }
        for (int i = 0; i + 1 < tokens.size(); i++) {
            if (tokens.get(i).kind() == Token.Kind.OPERATOR && tokens.get(i).text().equals("::")) {
                for (int j = i + 1; j < tokens.size(); j++) {
                    if (tokens.get(j).isPunct('[')) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The parameter number when the expression is exactly {@code $n}, else 0. */
    public int parameterNumber() {
        Token t = single();
        return t != null && t.kind() == Token.Kind.PARAMETER ? Integer.parseInt(t.text().substring(1)) : 0;
    }
}
