package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ArgumentExpression;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The direct collecting query of a SELECT whose calls read only the columns of its one FROM table
 * (decision 24): {@code SELECT DISTINCT <arguments> FROM <table> [WHERE <conjuncts without calls>]}.
 * It yields every argument tuple the statement can evaluate — a superset, since conjuncts with
 * calls are left out — so one pass suffices whatever the calls' results are, and the tuples stream
 * straight to the sidecar instead of being recorded row by row in a table.
 *
 * <p>Only a narrow shape qualifies (one plain table, no joins, grouping, DISTINCT, windows, set
 * operations or subqueries around the calls), so PostgreSQL can evaluate a call only on rows of
 * that table; whether the name is a table (and not a view, whose body could join) is checked on
 * the session before the strategy relies on it.
 */
final class DirectCollect {

    /** Words that make the statement something other than one filter over one table. */
    private static final Set<String> OTHER_SHAPES = Set.of("group", "having", "distinct", "window", "over", "grouping", "rollup",
            "cube", "partition", "within", "filter", "union", "intersect", "except", "into", "lateral", "join", "tablesample",
            "only", "with", "returning");
    /** Aggregates inside a call's arguments make its tuple a function of many rows: the collecting statement's own business. */
    private static final Set<String> AGGREGATES = Set.of("array_agg", "string_agg", "sum", "count", "avg", "min", "max", "json_agg",
            "jsonb_agg", "json_object_agg", "jsonb_object_agg", "bool_and", "bool_or", "every", "bit_and", "bit_or", "bit_xor",
            "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "xmlagg", "corr", "covar_pop", "covar_samp",
            "regr_slope", "regr_intercept", "regr_count", "regr_r2", "regr_avgx", "regr_avgy", "regr_sxx", "regr_syy", "regr_sxy",
            "mode", "percentile_cont", "percentile_disc", "range_agg", "range_intersect_agg", "any_value");
    private static final Set<String> AFTER_FROM = Set.of("where", "order", "limit", "offset", "fetch", "for");
    private static final Set<String> AFTER_WHERE = Set.of("order", "limit", "offset", "fetch", "for");

    private final String fromItem;
    private final String tableName;
    private final String filter;
    private final List<CollectPushdown.Condition> conditions;
    private final List<ResolvedCall> whereCalls;
    private final CollectPushdown.TopRows topRows;

    private DirectCollect(String fromItem, String tableName, String filter, List<CollectPushdown.Condition> conditions,
            List<ResolvedCall> whereCalls, CollectPushdown.TopRows topRows) {
        this.fromItem = fromItem;
        this.tableName = tableName;
        this.filter = filter;
        this.conditions = conditions;
        this.whereCalls = whereCalls;
        this.topRows = topRows;
    }

    /** WHERE conjuncts over one call and constants, which the computing step evaluates (decision 33). */
    List<CollectPushdown.Condition> conditions() {
        return conditions;
    }

    /** The calls inside WHERE. */
    List<ResolvedCall> whereCalls() {
        return whereCalls;
    }

    /** ORDER BY a call … LIMIT n, decided while computing (decision 33); null: none. */
    CollectPushdown.TopRows topRows() {
        return topRows;
    }

    /** The table's name as written, for {@code to_regclass}. */
    String tableName() {
        return tableName;
    }

    /** The conjuncts of WHERE kept in the collecting query (null: none). */
    String filter() {
        return filter;
    }

    /** {@code SELECT DISTINCT <columns> FROM <table> [WHERE …]}. */
    String query(List<String> columns) {
        return "SELECT DISTINCT " + String.join(", ", columns) + " FROM " + fromItem + (filter == null ? "" : " WHERE " + filter);
    }

    /** {@code SELECT <columns> FROM <table> LIMIT 0}: only described, for the columns' types. */
    String typing(List<String> columns) {
        return "SELECT " + String.join(", ", columns) + " FROM " + fromItem + " LIMIT 0";
    }

    /** The direct collecting query of the statement, or null when its shape does not qualify. */
    static DirectCollect plan(String sql, List<Token> tokens, List<ResolvedCall> calls) {
        if (!tokens.get(0).isKeyword("select") || calls.isEmpty()) {
            return null;
        }
        for (Token t : tokens) {
            if (t.kind() == Token.Kind.IDENTIFIER && OTHER_SHAPES.contains(t.text().toLowerCase(Locale.ROOT))) {
                return null;
            }
        }
        int end = CollectPass.endOfStatement(sql, tokens);
        int from = CollectPass.topLevel(tokens, 1, "from");
        if (from < 0) {
            return null;
        }
        int afterFrom = topLevelAny(tokens, from + 1, AFTER_FROM);
        int fromEnd = afterFrom < 0 ? lastToken(tokens, end) + 1 : afterFrom;
        int[] name = tableReference(tokens, from + 1, fromEnd);
        if (name == null) {
            return null;
        }
        for (ResolvedCall c : calls) {
            if (!qualifies(tokens, c) || calls.stream().anyMatch(o -> o != c && Splice.contains(c, o))) {
                return null;
            }
        }
        String filter = null;
        List<CollectPushdown.Condition> conditions = new ArrayList<>();
        List<ResolvedCall> whereCalls = new ArrayList<>();
        boolean everyConjunctKept = true;
        int tokenEnd = lastToken(tokens, end) + 1;
        int afterWhere = fromEnd;
        int whereStart = -1;
        int whereEnd = -1;
        if (afterFrom >= 0 && tokens.get(afterFrom).isKeyword("where")) {
            int next = topLevelAny(tokens, afterFrom + 1, AFTER_WHERE);
            afterWhere = next < 0 ? tokenEnd : next;
            List<int[]> conjuncts = conjuncts(tokens, afterFrom + 1, afterWhere);
            filter = keptConjuncts(sql, tokens, calls, conjuncts);
            for (int[] c : conjuncts) {
                if (c[0] < c[1] && !keeps(tokens, calls, c[0], c[1])) {
                    everyConjunctKept = false;
                    CollectPushdown.Condition pushed = CollectPushdown.condition(tokens, calls, c[0], c[1]);
                    if (pushed != null) {
                        conditions.add(pushed);
                    }
                }
            }
            for (ResolvedCall c : calls) {
                if (c.site().firstToken() > afterFrom && c.site().lastToken() < afterWhere) {
                    whereCalls.add(c);
                }
            }
            whereStart = tokens.get(afterFrom + 1).start();
            whereEnd = tokens.get(afterWhere - 1).end();
        }
        CollectPushdown.TopRows top = null;
        if (everyConjunctKept && afterWhere < tokenEnd && tokens.get(afterWhere).isKeyword("order")) {
            top = CollectPushdown.topRows(sql, tokens, calls, from, afterWhere, tokenEnd, whereStart, whereEnd,
                    tokens.get(fromEnd - 1).end());
        }
        String fromItem = sql.substring(tokens.get(from + 1).start(), tokens.get(fromEnd - 1).end());
        String table = sql.substring(tokens.get(name[0]).start(), tokens.get(name[1]).end());
        return new DirectCollect(fromItem, table, filter, List.copyOf(conditions), List.copyOf(whereCalls), top);
    }

    /** A call in the statement's own select list, WHERE or ORDER BY whose arguments hold no subquery or aggregate. */
    private static boolean qualifies(List<Token> tokens, ResolvedCall c) {
        if (CallDependence.placement(tokens, c.site().firstToken()).inSubquery()) {
            return false;
        }
        for (ArgumentExpression a : c.arguments()) {
            List<Token> ts = a.tokens();
            for (int i = 0; i < ts.size(); i++) {
                Token t = ts.get(i);
                if (t.isKeyword("select")) {
                    return false;
                }
                boolean called = i + 1 < ts.size() && ts.get(i + 1).isPunct('(');
                if (called && t.kind() == Token.Kind.IDENTIFIER && AGGREGATES.contains(t.text().toLowerCase(Locale.ROOT))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The tokens of {@code [schema.]table [[AS] alias]} filling [from, to): the first and last
     * token of the name, or null when the FROM item is anything else.
     */
    private static int[] tableReference(List<Token> tokens, int from, int to) {
        int i = from;
        if (!isName(tokens, i, to)) {
            return null;
        }
        int nameEnd = i;
        if (i + 2 < to && tokens.get(i + 1).isPunct('.') && isName(tokens, i + 2, to)) {
            nameEnd = i + 2;
        }
        i = nameEnd + 1;
        if (i < to && tokens.get(i).isKeyword("as")) {
            i++;
            if (!isName(tokens, i, to)) {
                return null;
            }
            i++;
        } else if (i < to && isName(tokens, i, to)) {
            i++;
        }
        return i == to ? new int[] {from, nameEnd} : null;
    }

    private static boolean isName(List<Token> tokens, int i, int to) {
        if (i >= to) {
            return false;
        }
        Token t = tokens.get(i);
        return t.kind() == Token.Kind.QUOTED_IDENTIFIER || (t.kind() == Token.Kind.IDENTIFIER && !t.isKeyword("as"));
    }

    /**
     * The top-level AND conjuncts of WHERE in [from, to), as token ranges. With a top-level OR the
     * condition is one conjunct: AND binds tighter.
     */
    private static List<int[]> conjuncts(List<Token> tokens, int from, int to) {
        List<int[]> conjuncts = new ArrayList<>();
        int depth = 0;
        int caseDepth = 0;
        boolean between = false;
        int start = from;
        for (int i = from; i < to; i++) {
            Token t = tokens.get(i);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if (t.isPunct(')') || t.isPunct(']')) {
                depth--;
            } else if (depth == 0 && t.kind() == Token.Kind.IDENTIFIER) {
                String w = t.text().toLowerCase(Locale.ROOT);
                switch (w) {
                    case "case" -> caseDepth++;
                    case "end" -> caseDepth--;
                    case "between" -> between = caseDepth == 0 || between;
                    case "or" -> {
                        if (caseDepth == 0) {
                            return List.of(new int[] {from, to});
                        }
                    }
                    case "and" -> {
                        if (caseDepth == 0 && between) {
                            between = false;
                        } else if (caseDepth == 0) {
                            conjuncts.add(new int[] {start, i});
                            start = i + 1;
                        }
                    }
                    default -> { }
                }
            }
        }
        conjuncts.add(new int[] {start, to});
        return conjuncts;
    }

    /** The conjuncts without calls or subqueries, joined with AND (null: none). */
    private static String keptConjuncts(String sql, List<Token> tokens, List<ResolvedCall> calls, List<int[]> conjuncts) {
        List<String> kept = new ArrayList<>();
        for (int[] c : conjuncts) {
            if (c[0] >= c[1]) {
                continue;
            }
            if (keeps(tokens, calls, c[0], c[1])) {
                kept.add("(" + sql.substring(tokens.get(c[0]).start(), tokens.get(c[1] - 1).end()) + ")");
            }
        }
        return kept.isEmpty() ? null : String.join(" AND ", kept);
    }

    /**
     * Whether the collecting query keeps the conjunct of tokens [from, to): one without calls and
     * without subqueries. PostgreSQL evaluates such a conjunct in the table's scan before the
     * costlier lookup of a call; a subquery may become a join above the scan (IN, EXISTS), below
     * which a call is evaluated on rows the conjunct would have removed.
     */
    private static boolean keeps(List<Token> tokens, List<ResolvedCall> calls, int from, int to) {
        for (int i = from; i < to; i++) {
            if (tokens.get(i).isKeyword("select")) {
                return false;
            }
        }
        return callFree(calls, tokens.get(from).start(), tokens.get(to - 1).end());
    }

    private static boolean callFree(List<ResolvedCall> calls, int start, int end) {
        for (ResolvedCall c : calls) {
            if (c.site().start() < end && c.site().end() > start) {
                return false;
            }
        }
        return true;
    }

    private static int topLevelAny(List<Token> tokens, int from, Set<String> words) {
        return CollectPass.topLevel(tokens, from, words.toArray(new String[0]));
    }

    /** Index of the last token ending at or before {@code end} (the statement without its semicolons). */
    private static int lastToken(List<Token> tokens, int end) {
        int i = tokens.size() - 1;
        while (i > 0 && tokens.get(i).end() > end) {
            i--;
        }
        return i;
    }
}
