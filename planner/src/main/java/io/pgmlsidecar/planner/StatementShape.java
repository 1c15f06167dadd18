package io.pgmlsidecar.planner;

import io.pgmlsidecar.planner.scan.CallSite;
import io.pgmlsidecar.planner.scan.Token;
import java.util.List;

/** Recognises the shape of the statement around a call. */
final class StatementShape {
    private StatementShape() {}

    /**
     * For {@code SELECT call [[AS] alias] [;]} returns the output column name (the alias, else
     * the function name as PostgreSQL names it); null for any other shape.
     */
    static String aloneInSelect(List<Token> tokens, CallSite call) {
        if (call.firstToken() != 1 || !tokens.get(0).isKeyword("select")) {
            return null;
        }
        int i = call.lastToken() + 1;
        String name = call.function();
        if (i < tokens.size() && tokens.get(i).isKeyword("as")) {
            i++;
            if (i >= tokens.size()) {
                return null;
            }
            name = tokens.get(i++).identifierValue();
        } else if (i < tokens.size() && isAlias(tokens.get(i))) {
            name = tokens.get(i++).identifierValue();
        }
        while (i < tokens.size() && tokens.get(i).isPunct(';')) {
            i++;
        }
        return i == tokens.size() ? name : null;
    }

    private static boolean isAlias(Token t) {
        return t.kind() == Token.Kind.QUOTED_IDENTIFIER
                || (t.kind() == Token.Kind.IDENTIFIER && !RESERVED.contains(t.text().toLowerCase()));
    }

    private static final java.util.Set<String> RESERVED = java.util.Set.of(
            "from", "where", "group", "order", "limit", "offset", "union", "except", "intersect", "having",
            "window", "for", "into", "fetch");
}
