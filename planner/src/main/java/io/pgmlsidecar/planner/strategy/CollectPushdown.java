package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the direct collect (decision 24) can decide while it computes, so that only the results
 * the statement can use are stored (decision 33):
 * <ul>
 *   <li>a WHERE conjunct that compares one call with constants ({@code pgml.predict(…) > 3.5}):
 *       PostgreSQL evaluates it on each chunk's results as they are stored, and only the tuples
 *       that pass are kept;</li>
 *   <li>{@code ORDER BY <call> [ASC|DESC] [NULLS …] … LIMIT n [OFFSET m]} over a WHERE without
 *       calls: only the tuples whose result ranks within the first n + m (ties included) are
 *       kept, and the serving statement reads only rows whose tuple was kept.</li>
 * </ul>
 */
final class CollectPushdown {

    /** Words a pushed condition may hold besides constants and the call: each leaves a NULL call result NULL or false. */
    private static final Set<String> STRICT_WORDS = Set.of("and", "not", "between", "symmetric", "in", "true", "false", "null", "like",
            "ilike", "similar", "to", "escape");
    /** The most rows a top-rows pushdown keeps in memory before it stops being worth it. */
    static final long MAX_TOP_ROWS = 10_000;

    /** A WHERE conjunct over calls of one function and argument list, and constants: [start, end) in the statement. */
    record Condition(List<ResolvedCall> sites, int start, int end) {

        /** The conjunct with each call replaced by {@code value}. */
        String over(String sql, String value) {
            StringBuilder out = new StringBuilder();
            int at = start;
            for (ResolvedCall c : sites) {
                out.append(sql, at, c.site().start()).append(value);
                at = c.site().end();
            }
            return out.append(sql, at, end).toString();
        }
    }

    /**
     * The first ORDER BY key is the call {@code key}: the first {@code rows} rows in that order,
     * {@code whereStart}/{@code whereEnd} the WHERE condition's span (-1: no WHERE, then the
     * restriction goes in at {@code fromEnd}).
     */
    record TopRows(ResolvedCall key, boolean descending, boolean nullsFirst, long rows, int whereStart, int whereEnd, int fromEnd) {}

    private CollectPushdown() {}

    /**
     * The conjunct of tokens [from, to) as a pushed condition, or null: it holds calls of one group
     * only, no subquery, no column, no parameter, and no word that turns a NULL into true
     * ({@code IS}, {@code OR}, {@code CASE}, functions such as {@code coalesce}), so a tuple the
     * condition removed may be answered NULL wherever PostgreSQL still evaluates it.
     */
    static Condition condition(List<Token> tokens, List<ResolvedCall> calls, int from, int to) {
        List<ResolvedCall> sites = new ArrayList<>();
        for (ResolvedCall c : calls) {
            if (c.site().firstToken() >= from && c.site().lastToken() < to) {
                sites.add(c);
            } else if (c.site().firstToken() < to && c.site().lastToken() >= from) {
                return null;
            }
        }
        if (sites.isEmpty() || sites.stream().map(DirectStaging::groupKey).distinct().count() != 1) {
            return null;
        }
        sites.sort(java.util.Comparator.comparingInt(c -> c.site().start()));
        int site = 0;
        for (int i = from; i < to; i++) {
            if (site < sites.size() && i == sites.get(site).site().firstToken()) {
                i = sites.get(site++).site().lastToken();
                continue;
            }
            Token t = tokens.get(i);
            switch (t.kind()) {
                case NUMBER, STRING, OPERATOR, PUNCT -> { }
                case IDENTIFIER -> {
                    String w = t.text().toLowerCase(Locale.ROOT);
                    boolean typeName = i > from && (tokens.get(i - 1).is(Token.Kind.OPERATOR, "::")
                            || (w.equals("precision") && tokens.get(i - 1).isKeyword("double")));
                    if (!typeName && !STRICT_WORDS.contains(w)) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
        }
        return new Condition(sites, tokens.get(from).start(), tokens.get(to - 1).end());
    }

    /**
     * The top-rows pushdown of {@code ORDER BY} at token {@code order}, or null: the first key is a
     * call (or the alias of a select-list item that is one), the statement ends with {@code LIMIT n
     * [OFFSET m]} of literal numbers, and nothing in the select list or the other keys is a
     * function that could add or remove rows (a set-returning function with no rows for a row
     * would make a lower-ranked tuple reach the limit).
     */
    static TopRows topRows(String sql, List<Token> tokens, List<ResolvedCall> calls, int from, int order, int end,
            int whereStart, int whereEnd, int fromEnd) {
        if (order < 0 || order + 1 >= end || !tokens.get(order + 1).isKeyword("by")) {
            return null;
        }
        if (callsOutsideSites(tokens, calls, 1, from)) {
            return null;
        }
        int keyStart = order + 2;
        int keyEnd = CollectPass.topLevel(tokens, keyStart, ",", "asc", "desc", "nulls", "using", "limit", "offset", "fetch", "for");
        keyEnd = keyEnd < 0 || keyEnd > end ? end : Math.min(keyEnd, firstTopLevelComma(tokens, keyStart, end));
        ResolvedCall key = keyCall(tokens, calls, keyStart, keyEnd, from);
        if (key == null) {
            return null;
        }
        int i = keyEnd;
        boolean descending = false;
        if (i < end && tokens.get(i).isKeyword("desc")) {
            descending = true;
            i++;
        } else if (i < end && tokens.get(i).isKeyword("asc")) {
            i++;
        }
        boolean nullsFirst = descending;
        if (i + 1 < end && tokens.get(i).isKeyword("nulls")) {
            if (tokens.get(i + 1).isKeyword("first")) {
                nullsFirst = true;
            } else if (tokens.get(i + 1).isKeyword("last")) {
                nullsFirst = false;
            } else {
                return null;
            }
            i += 2;
        }
        int limitAt = CollectPass.topLevel(tokens, i, "limit", "offset", "fetch", "for", "using");
        if (limitAt < 0 || limitAt >= end) {
            return null;
        }
        if (callsOutsideSites(tokens, calls, i, limitAt) || calls.stream().anyMatch(c -> c != key && c.site().firstToken() > order)) {
            return null; // another call among the keys, or a function in them
        }
        long limit = -1;
        long offset = 0;
        int j = limitAt;
        while (j < end) {
            Token t = tokens.get(j);
            if (j + 1 < end && t.isKeyword("limit") && tokens.get(j + 1).kind() == Token.Kind.NUMBER && limit < 0) {
                limit = integer(tokens.get(j + 1).text());
            } else if (j + 1 < end && t.isKeyword("offset") && tokens.get(j + 1).kind() == Token.Kind.NUMBER) {
                offset = integer(tokens.get(j + 1).text());
            } else {
                return null;
            }
            if (limit < -1 || offset < 0) {
                return null;
            }
            j += 2;
        }
        if (limit < 0 || limit + offset > MAX_TOP_ROWS) {
            return null;
        }
        return new TopRows(key, descending, nullsFirst, limit + offset, whereStart, whereEnd, fromEnd);
    }

    private static long integer(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -2;
        }
    }

    private static int firstTopLevelComma(List<Token> tokens, int from, int end) {
        int depth = 0;
        for (int i = from; i < end; i++) {
            Token t = tokens.get(i);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if (t.isPunct(')') || t.isPunct(']')) {
                depth--;
            } else if (depth == 0 && t.isPunct(',')) {
                return i;
            }
        }
        return end;
    }

    /** Whether tokens [from, to) call any function other than the API calls found (an identifier followed by '('). */
    private static boolean callsOutsideSites(List<Token> tokens, List<ResolvedCall> calls, int from, int to) {
        for (int i = from; i + 1 < to; i++) {
            if (inSite(calls, i)) {
                continue;
            }
            Token t = tokens.get(i);
            boolean name = t.kind() == Token.Kind.IDENTIFIER || t.kind() == Token.Kind.QUOTED_IDENTIFIER;
            if (name && tokens.get(i + 1).isPunct('(') && !inSite(calls, i + 1)) {
                return true;
            }
            if (t.isKeyword("select")) {
                return true;
            }
        }
        return false;
    }

    private static boolean inSite(List<ResolvedCall> calls, int token) {
        for (ResolvedCall c : calls) {
            if (token >= c.site().firstToken() && token <= c.site().lastToken()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The call the key of tokens [start, end) names: the call itself, or an output column's name
     * (a select-list item that is exactly a call, with its alias) — PostgreSQL resolves a bare name
     * in ORDER BY to an output column first.
     */
    private static ResolvedCall keyCall(List<Token> tokens, List<ResolvedCall> calls, int start, int end, int from) {
        for (ResolvedCall c : calls) {
            if (c.site().firstToken() == start && c.site().lastToken() == end - 1) {
                return c;
            }
        }
        if (end != start + 1) {
            return null;
        }
        Token name = tokens.get(start);
        if (name.kind() != Token.Kind.IDENTIFIER && name.kind() != Token.Kind.QUOTED_IDENTIFIER) {
            return null;
        }
        ResolvedCall found = null;
        for (ResolvedCall c : calls) {
            int after = c.site().lastToken() + 1;
            if (c.site().lastToken() >= from || !startsItem(tokens, c.site().firstToken())) {
                continue;
            }
            if (after < from && tokens.get(after).isKeyword("as")) {
                after++;
            }
            if (after + 1 <= from && sameName(tokens.get(after), name) && endsItem(tokens, after + 1, from)) {
                if (found != null) {
                    return null; // ambiguous: PostgreSQL refuses it
                }
                found = c;
            }
        }
        return found;
    }

    private static boolean startsItem(List<Token> tokens, int i) {
        return i == 1 || tokens.get(i - 1).isPunct(',');
    }

    private static boolean endsItem(List<Token> tokens, int i, int from) {
        return i == from || tokens.get(i).isPunct(',');
    }

    private static boolean sameName(Token alias, Token name) {
        if (alias.kind() == Token.Kind.IDENTIFIER && alias.isKeyword("from")) {
            return false;
        }
        return folded(alias).equals(folded(name));
    }

    private static String folded(Token t) {
        if (t.kind() == Token.Kind.QUOTED_IDENTIFIER) {
            String s = t.text();
            return s.length() >= 2 && s.startsWith("\"") ? s.substring(1, s.length() - 1).replace("\"\"", "\"") : s;
        }
        return t.text().toLowerCase(Locale.ROOT);
    }
}
