package io.pgmlsidecar.planner.scan;

import java.util.List;
import java.util.Set;

/** Recognises a function call that stands as an item of a FROM clause, and its alias. */
public final class FromItems {
    private FromItems() {}

    private static final Set<String> CLAUSE_WORDS = Set.of("select", "where", "group", "having", "order", "limit", "offset",
            "on", "using", "set", "values", "returning", "window", "into", "union", "except", "intersect", "with", "fetch", "for");
    private static final Set<String> NOT_ALIASES = Set.of("where", "group", "having", "order", "limit", "offset", "on", "using",
            "join", "inner", "left", "right", "full", "cross", "natural", "lateral", "union", "except", "intersect", "window",
            "fetch", "for", "returning", "with", "tablesample");

    /** True when the token at {@code first} begins an item of a FROM list (after FROM, JOIN, LATERAL or a comma in FROM). */
    public static boolean isFromItem(List<Token> tokens, int first) {
        int depth = 0;
        for (int i = first - 1; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.isPunct(')')) {
                depth++;
            } else if (t.isPunct('(')) {
                if (depth == 0) {
                    return false; // inside parentheses: an argument or the start of a subquery
                }
                depth--;
            } else if (depth == 0 && (t.isKeyword("from") || t.isKeyword("join"))) {
                return true;
            } else if (depth == 0 && t.kind() == Token.Kind.IDENTIFIER && CLAUSE_WORDS.contains(t.text().toLowerCase())) {
                return false;
            }
        }
        return false;
    }

    /** The alias written after the call ending at token {@code last} ({@code [AS] name}), or null. */
    public static String alias(List<Token> tokens, int last) {
        int i = last + 1;
        if (i < tokens.size() && tokens.get(i).isKeyword("as")) {
            i++;
        }
        if (i >= tokens.size()) {
            return null;
        }
        Token t = tokens.get(i);
        if (t.kind() == Token.Kind.QUOTED_IDENTIFIER
                || (t.kind() == Token.Kind.IDENTIFIER && !NOT_ALIASES.contains(t.text().toLowerCase()))) {
            return t.identifierValue();
        }
        return null;
    }
}
