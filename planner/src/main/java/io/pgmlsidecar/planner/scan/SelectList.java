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

    /** Null when the statement is not a SELECT (optionally after a WITH list of CTEs). */
    public static SelectList of(List<Token> tokens) {
        int select = selectKeyword(tokens);
        if (select < 0) {
            return null;
        }
        int i = select + 1;
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

    /** Index of the top-level SELECT keyword, skipping a leading WITH list; -1 if there is none. */
    private static int selectKeyword(List<Token> tokens) {
        if (tokens.isEmpty()) {
            return -1;
        }
        if (tokens.get(0).isKeyword("select")) {
            return 0;
        }
        if (!tokens.get(0).isKeyword("with")) {
            return -1;
        }
        int depth = 0;
        for (int i = 1; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct('(')) {
                depth++;
            } else if (t.isPunct(')')) {
                depth--;
            } else if (depth == 0 && t.kind() == Token.Kind.IDENTIFIER) {
                String w = t.text().toLowerCase();
                if (w.equals("select")) {
                    return i;
                }
                if (w.equals("insert") || w.equals("update") || w.equals("delete") || w.equals("merge")) {
                    return -1;
                }
            }
        }
        return -1;
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

    /** The same list with token indexes moved by {@code offset}: for a list found in a sub-list of the tokens. */
    public SelectList shifted(int offset) {
        List<Item> moved = new ArrayList<>(items.size());
        for (Item item : items) {
            moved.add(new Item(item.first() + offset, item.last() + offset, item.star()));
        }
        return new SelectList(moved, end + offset, distinct);
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
