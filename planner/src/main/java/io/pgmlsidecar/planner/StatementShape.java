package io.pgmlsidecar.planner;

import io.pgmlsidecar.planner.scan.CallSite;
import io.pgmlsidecar.planner.scan.SelectList;
import io.pgmlsidecar.planner.scan.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Recognises the shape of the statement around a call. */
final class StatementShape {
    private StatementShape() {}

    private static final Set<String> RESERVED = Set.of("from", "where", "group", "order", "limit", "offset", "union",
            "except", "intersect", "having", "window", "for", "into", "fetch");

    /**
     * For {@code SELECT call [[AS] alias] [;]} returns the output column name (the alias, else
     * the function name as PostgreSQL names it); null for any other shape.
     */
    static String aloneInSelect(List<Token> tokens, CallSite call) {
        if (call.firstToken() != 1 || !tokens.get(0).isKeyword("select")) {
            return null;
        }
        return aliasThenEnd(tokens, call.lastToken() + 1, call.function(), true);
    }

    /** For {@code SELECT * FROM call [[AS] alias] [;]}: the column name, else null. */
    static String aloneInFrom(List<Token> tokens, CallSite call) {
        if (call.firstToken() != 3 || !tokens.get(0).isKeyword("select")
                || !(tokens.get(1).kind() == Token.Kind.OPERATOR && tokens.get(1).text().equals("*"))
                || !tokens.get(2).isKeyword("from")) {
            return null;
        }
        // a function in FROM names its single column after the alias, if any
        return aliasThenEnd(tokens, call.lastToken() + 1, call.function(), true);
    }

    /**
     * The output name of select-list item {@code item} when it is exactly the call and an optional
     * alias; null otherwise.
     */
    static String itemIsCall(List<Token> tokens, SelectList.Item item, CallSite call) {
        if (item.first() != call.firstToken()) {
            return null;
        }
        int i = call.lastToken() + 1;
        if (i > item.last()) {
            return call.function();
        }
        if (tokens.get(i).isKeyword("as")) {
            i++;
        }
        if (i == item.last() && isAlias(tokens.get(i))) {
            return tokens.get(i).identifierValue();
        }
        return null;
    }

    private static String aliasThenEnd(List<Token> tokens, int i, String defaultName, boolean allowAlias) {
        String name = defaultName;
        if (allowAlias && i < tokens.size() && tokens.get(i).isKeyword("as")) {
            i++;
            if (i >= tokens.size()) {
                return null;
            }
            name = tokens.get(i++).identifierValue();
        } else if (allowAlias && i < tokens.size() && isAlias(tokens.get(i))) {
            name = tokens.get(i++).identifierValue();
        }
        while (i < tokens.size() && tokens.get(i).isPunct(';')) {
            i++;
        }
        return i == tokens.size() ? name : null;
    }

    static boolean isAlias(Token t) {
        return t.kind() == Token.Kind.QUOTED_IDENTIFIER
                || (t.kind() == Token.Kind.IDENTIFIER && !RESERVED.contains(t.text().toLowerCase()));
    }

    /** Number of statements (top-level semicolons separating non-empty parts). */
    static int statementCount(List<Token> tokens) {
        int count = 0;
        boolean content = false;
        for (Token t : tokens) {
            if (t.isPunct(';')) {
                if (content) {
                    count++;
                }
                content = false;
            } else {
                content = true;
            }
        }
        return count + (content ? 1 : 0);
    }

    /** The statements of a query string, split at top-level semicolons (empty ones dropped). */
    static List<String> split(String sql, List<Token> tokens) {
        List<String> out = new ArrayList<>();
        int from = 0;
        boolean content = false;
        for (Token t : tokens) {
            if (t.isPunct(';')) {
                if (content) {
                    out.add(sql.substring(from, t.start()).strip());
                }
                from = t.end();
                content = false;
            } else {
                content = true;
            }
        }
        if (content) {
            out.add(sql.substring(from).strip());
        }
        return out;
    }
}
