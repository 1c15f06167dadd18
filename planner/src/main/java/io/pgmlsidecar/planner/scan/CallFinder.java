package io.pgmlsidecar.planner.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Finds {@code schema.function(...)} calls of the given schemas among a statement's tokens. */
public final class CallFinder {

    private CallFinder() {}

    public static List<CallSite> find(String sql, List<Token> tokens, Set<String> schemas) {
        List<CallSite> calls = new ArrayList<>();
        for (int i = 0; i + 3 < tokens.size(); i++) {
            Token schema = tokens.get(i);
            if ((schema.kind() != Token.Kind.IDENTIFIER && schema.kind() != Token.Kind.QUOTED_IDENTIFIER)
                    || !schemas.contains(schema.identifierValue())) {
                continue;
            }
            if (i > 0 && tokens.get(i - 1).isPunct('.')) {
                continue; // db.pgml.x is not ours to judge
            }
            Token dot = tokens.get(i + 1);
            Token name = tokens.get(i + 2);
            Token open = tokens.get(i + 3);
            if (!dot.isPunct('.') || !open.isPunct('(')
                    || (name.kind() != Token.Kind.IDENTIFIER && name.kind() != Token.Kind.QUOTED_IDENTIFIER)) {
                continue;
            }
            int close = matchingParen(tokens, i + 3);
            if (close < 0) {
                continue; // unbalanced: let PostgreSQL report the syntax error
            }
            calls.add(new CallSite(schema.identifierValue(), name.identifierValue(), schema.start(),
                    tokens.get(close).end(), i, close, arguments(sql, tokens, i + 3, close)));
        }
        return calls;
    }

    /** Index of the ')' matching the '(' at {@code open}, or -1. */
    public static int matchingParen(List<Token> tokens, int open) {
        int depth = 0;
        for (int j = open; j < tokens.size(); j++) {
            Token t = tokens.get(j);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if (t.isPunct(')') || t.isPunct(']')) {
                depth--;
                if (depth == 0) {
                    return t.isPunct(')') ? j : -1;
                }
            }
        }
        return -1;
    }

    private static List<CallSite.Argument> arguments(String sql, List<Token> tokens, int open, int close) {
        List<CallSite.Argument> args = new ArrayList<>();
        if (close == open + 1) {
            return args;
        }
        int depth = 0;
        int argStart = open + 1;
        for (int j = open + 1; j <= close; j++) {
            Token t = tokens.get(j);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if ((t.isPunct(')') || t.isPunct(']')) && j != close) {
                depth--;
            } else if ((t.isPunct(',') && depth == 0) || j == close) {
                args.add(argument(tokens, argStart, j - 1));
                argStart = j + 1;
            }
        }
        return args;
    }

    private static CallSite.Argument argument(List<Token> tokens, int first, int last) {
        String name = null;
        if (last >= first + 2 && (tokens.get(first).kind() == Token.Kind.IDENTIFIER
                || tokens.get(first).kind() == Token.Kind.QUOTED_IDENTIFIER)
                && tokens.get(first + 1).kind() == Token.Kind.OPERATOR
                && (tokens.get(first + 1).text().equals("=>") || tokens.get(first + 1).text().equals(":="))) {
            name = tokens.get(first).identifierValue();
            first += 2;
        }
        return new CallSite.Argument(name, tokens.get(first).start(), tokens.get(last).end());
    }
}
