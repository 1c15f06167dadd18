package io.pgmlsidecar.planner.scan;

import java.util.List;
import java.util.function.Predicate;

/**
 * The tokens of a statement outside every bracket pair — where its clause keywords, select-list
 * commas and semicolons stand — walked as
 * {@code for (int i = TopLevel.first(tokens, from); i >= 0; i = TopLevel.after(tokens, i))}.
 * A bracket's opening token is itself top-level; what it encloses is stepped over whole. A closing
 * bracket without its opening one (the end of an enclosing part, or a syntax error PostgreSQL will
 * report) ends the walk.
 */
public final class TopLevel {
    private TopLevel() {}

    /** The first top-level token at or after {@code from}, or -1. */
    public static int first(List<Token> tokens, int from) {
        return from < tokens.size() && !closes(tokens.get(from)) ? from : -1;
    }

    /** The top-level token after top-level token {@code i}, or -1 at the end. */
    public static int after(List<Token> tokens, int i) {
        int j = opens(tokens.get(i)) ? close(tokens, i) + 1 : i + 1;
        return j <= 0 ? -1 : first(tokens, j);
    }

    /** The first top-level token at or after {@code from} that {@code match} accepts, or -1. */
    public static int find(List<Token> tokens, int from, Predicate<Token> match) {
        for (int i = first(tokens, from); i >= 0; i = after(tokens, i)) {
            if (match.test(tokens.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int close(List<Token> tokens, int open) {
        int depth = 0;
        for (int j = open; j < tokens.size(); j++) {
            Token t = tokens.get(j);
            if (opens(t)) {
                depth++;
            } else if (closes(t) && --depth == 0) {
                return j;
            }
        }
        return -1;
    }

    private static boolean opens(Token t) {
        return t.isPunct('(') || t.isPunct('[');
    }

    private static boolean closes(Token t) {
        return t.isPunct(')') || t.isPunct(']');
    }
}
