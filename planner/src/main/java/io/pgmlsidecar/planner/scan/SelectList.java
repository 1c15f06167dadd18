package io.pgmlsidecar.planner.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The items of a statement's top-level SELECT list (a plain {@code SELECT …}, not WITH or set
 * operations), as token index ranges.
 */
public final class SelectList {

    /** Tokens {@code first..last} (inclusive) of one item; {@code star} for {@code *} or {@code t.*}. */
    public record Item(int first, int last, boolean star) {}

    private static final Set<String> ENDS = Set.of("from", "into", "where", "group", "having", "window", "order",
            "limit", "offset", "fetch", "for", "union", "intersect", "except");

    private final List<Item> items;
    /** Index of the first token after the list (FROM, …) or the token count. */
    private final int end;
    private final boolean distinct;

    private SelectList(List<Item> items, int end, boolean distinct) {
        this.items = items;
        this.end = end;
        this.distinct = distinct;
    }

    /** Null when the statement is not a plain SELECT. */
    public static SelectList of(List<Token> tokens) {
        if (tokens.isEmpty() || !tokens.get(0).isKeyword("select")) {
            return null;
        }
        int i = 1;
        boolean distinct = false;
        if (i < tokens.size() && tokens.get(i).isKeyword("all")) {
            i++;
        } else if (i < tokens.size() && tokens.get(i).isKeyword("distinct")) {
            distinct = true;
            i++;
            if (i < tokens.size() && tokens.get(i).isKeyword("on") && i + 1 < tokens.size() && tokens.get(i + 1).isPunct('(')) {
                i = CallFinder.matchingParen(tokens, i + 1) + 1;
            }
        }
        List<Item> items = new ArrayList<>();
        int depth = 0;
        int start = i;
        for (; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if (t.isPunct(')') || t.isPunct(']')) {
                depth--;
            } else if (depth == 0 && (t.isPunct(';') || (t.kind() == Token.Kind.IDENTIFIER && ENDS.contains(t.text().toLowerCase())))) {
                break;
            } else if (depth == 0 && t.isPunct(',')) {
                items.add(item(tokens, start, i - 1));
                start = i + 1;
            }
        }
        if (i > start) {
            items.add(item(tokens, start, i - 1));
        }
        return new SelectList(items, i, distinct);
    }

    private static Item item(List<Token> tokens, int first, int last) {
        Token lastToken = tokens.get(last);
        boolean star = lastToken.kind() == Token.Kind.OPERATOR && lastToken.text().equals("*")
                && (first == last || tokens.get(last - 1).isPunct('.'));
        return new Item(first, last, star);
    }

    public List<Item> items() {
        return items;
    }

    public int end() {
        return end;
    }

    public boolean distinct() {
        return distinct;
    }

    /** Index of the item holding token {@code index}, or -1. */
    public int itemAt(int index) {
        for (int k = 0; k < items.size(); k++) {
            if (items.get(k).first() <= index && index <= items.get(k).last()) {
                return k;
            }
        }
        return -1;
    }
}
