package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The query that evaluates a statement's calls the way the statement itself would, without
 * writing anything or sending rows: {@code SELECT count(q.*) FROM (<the statement's query>) q}. For
 * INSERT … SELECT and CREATE TABLE … AS that is their query; for UPDATE and DELETE a SELECT over
 * the same rows (target, FROM / USING, WHERE) with the SET values as its columns.
 */
final class CollectPass {

    /** Text of [from, to) of the statement with the calls replaced. */
    interface Renderer extends BiFunction<Integer, Integer, String> {}

    private final String kind;
    /** Offsets into the statement: the text kept before the query (a WITH of INSERT), and the parts of the query. */
    private final int prefixEnd;
    private final int[][] parts;
    private final String[] glue;

    private CollectPass(String kind, int prefixEnd, int[][] parts, String[] glue) {
        this.kind = kind;
        this.prefixEnd = prefixEnd;
        this.parts = parts;
        this.glue = glue;
    }

    String kind() {
        return kind;
    }

    /** The collecting query, each part rendered with the calls replaced. */
    String render(Renderer renderer) {
        StringBuilder sb = new StringBuilder();
        if (prefixEnd > 0) {
            sb.append(renderer.apply(0, prefixEnd)).append(' ');
        }
        // the whole row, so PostgreSQL cannot drop the query (an aggregate without GROUP BY has one row whatever it reads)
        sb.append("SELECT count(pgml_sidecar_collect.*) FROM (").append(glue[0]);
        for (int i = 0; i < parts.length; i++) {
            sb.append(renderer.apply(parts[i][0], parts[i][1])).append(glue[i + 1]);
        }
        return sb.append("\n) pgml_sidecar_collect").toString();
    }

    /**
     * Plans the collecting query; throws 0A000 for statements whose calls it cannot reach without
     * running the statement (RETURNING, WHERE CURRENT OF, data-modifying WITH, views).
     */
    static CollectPass plan(String sql, List<Token> tokens, List<ResolvedCall> calls) {
        int end = endOfStatement(sql, tokens);
        Token first = tokens.get(0);
        CollectPass pass;
        if (first.isKeyword("select") || first.isKeyword("values") || first.isKeyword("table")
                || (first.isKeyword("with") && topLevel(tokens, 1, "insert", "update", "delete") < 0)) {
            refuseDataModifyingWith(tokens, calls);
            pass = new CollectPass("SELECT", 0, new int[][] {{0, end}}, new String[] {"", ""});
        } else if (first.isKeyword("insert") || first.isKeyword("with")) {
            refuseDataModifyingWith(tokens, calls);
            int insert = first.isKeyword("insert") ? 0 : topLevel(tokens, 1, "insert");
            int query = topLevel(tokens, insert + 1, "select", "with", "values", "table");
            if (insert < 0 || query < 0 || tokens.get(query - 1).isPunct('(')) {
                throw refuse(calls, "this form of INSERT", "Write INSERT INTO t [(columns)] SELECT … with the calls in the SELECT.");
            }
            int stop = topLevel(tokens, query + 1, "returning", "on");
            int queryEnd = stop < 0 ? end : tokens.get(stop).start();
            pass = new CollectPass("INSERT", tokens.get(insert).start(), new int[][] {{tokens.get(query).start(), queryEnd}},
                    new String[] {"", ""});
            checkCovered(calls, pass, "RETURNING or ON CONFLICT of an INSERT");
        } else if (first.isKeyword("create")) {
            if (topLevel(tokens, 1, "view") >= 0 && topLevel(tokens, 1, "as") > topLevel(tokens, 1, "view")) {
                throw refuse(calls, "a view over row-dependent pgml calls",
                        "PostgreSQL would evaluate the view's calls itself; create a table with CREATE TABLE … AS instead.");
            }
            int as = topLevel(tokens, 1, "as");
            int query = as < 0 ? -1 : topLevel(tokens, as + 1, "select", "with", "values", "table");
            if (query != as + 1 && !(query == as + 2 && tokens.get(as + 1).isPunct('('))) {
                throw refuse(calls, "this form of CREATE", "Write CREATE TABLE t AS SELECT … with the calls in the SELECT.");
            }
            int withData = withDataClause(tokens, query + 1);
            int queryEnd = withData < 0 ? end : tokens.get(withData).start();
            pass = new CollectPass("CREATE TABLE AS", 0, new int[][] {{tokens.get(query).start(), queryEnd}}, new String[] {"", ""});
            checkCovered(calls, pass, "this part of CREATE TABLE … AS");
        } else if (first.isKeyword("declare")) {
            // DECLARE name … CURSOR … FOR query: the cursor's FETCHes read the results later
            int forKeyword = topLevel(tokens, 1, "for");
            if (forKeyword < 0 || forKeyword + 1 >= tokens.size()) {
                throw refuse(calls, "this form of DECLARE", null);
            }
            pass = new CollectPass("DECLARE CURSOR", 0,
                    new int[][] {{tokens.get(forKeyword + 1).start(), end}}, new String[] {"", ""});
            checkCovered(calls, pass, "DECLARE");
        } else if (first.isKeyword("update")) {
            pass = update(sql, tokens, calls, end);
        } else if (first.isKeyword("delete")) {
            pass = delete(sql, tokens, calls, end);
        } else {
            throw refuse(calls, "row-dependent pgml calls in a " + first.text().toUpperCase() + " statement",
                    "Use them in SELECT, INSERT … SELECT, CREATE TABLE … AS, UPDATE or DELETE.");
        }
        return pass;
    }

    private static CollectPass update(String sql, List<Token> tokens, List<ResolvedCall> calls, int end) {
        int set = topLevel(tokens, 1, "set");
        if (set < 0) {
            throw refuse(calls, "this form of UPDATE", null);
        }
        int from = topLevel(tokens, set + 1, "from");
        int where = topLevel(tokens, set + 1, "where");
        int returning = topLevel(tokens, set + 1, "returning");
        refuseCurrentOf(tokens, where, calls);
        int setEnd = firstOf(tokens, end, from, where, returning);
        java.util.List<int[]> parts = new java.util.ArrayList<>();
        java.util.List<String> glue = new java.util.ArrayList<>();
        glue.add("SELECT ");
        // each SET item's value: what follows its top-level '='
        int depth = 0;
        int itemStart = set + 1;
        for (int i = set + 1; i <= tokens.size(); i++) {
            Token t = i < tokens.size() ? tokens.get(i) : null;
            boolean itemEnd = t == null || t.start() >= setEnd || (depth == 0 && t.isPunct(','));
            if (!itemEnd) {
                depth += t.isPunct('(') || t.isPunct('[') ? 1 : t.isPunct(')') || t.isPunct(']') ? -1 : 0;
                continue;
            }
            int eq = -1;
            for (int j = itemStart, d = 0; j < i; j++) {
                Token u = tokens.get(j);
                d += u.isPunct('(') || u.isPunct('[') ? 1 : u.isPunct(')') || u.isPunct(']') ? -1 : 0;
                if (d == 0 && u.kind() == Token.Kind.OPERATOR && u.text().equals("=")) {
                    eq = j;
                    break;
                }
            }
            if (eq >= 0 && eq + 1 < i && !(eq + 2 == i && tokens.get(eq + 1).isKeyword("default"))) {
                if (!parts.isEmpty()) {
                    glue.add(", ");
                }
                parts.add(new int[] {tokens.get(eq + 1).start(), tokens.get(i - 1).end()});
            }
            itemStart = i + 1;
            if (t == null || t.start() >= setEnd) {
                break;
            }
        }
        if (parts.isEmpty()) {
            parts.add(new int[] {0, 0});
            glue.set(0, "SELECT 1");
        }
        // FROM target [, from-list] [WHERE …]
        glue.add(" FROM ");
        parts.add(new int[] {tokens.get(1).start(), tokens.get(set).start()});
        if (from >= 0) {
            glue.add(", ");
            parts.add(new int[] {tokens.get(from + 1).start(), firstOf(tokens, end, where, returning)});
        }
        if (where >= 0) {
            glue.add(" WHERE ");
            parts.add(new int[] {tokens.get(where + 1).start(), returning < 0 ? end : tokens.get(returning).start()});
        }
        glue.add("");
        CollectPass pass = new CollectPass("UPDATE", 0, parts.toArray(new int[0][]), glue.toArray(new String[0]));
        checkCovered(calls, pass, "RETURNING of an UPDATE");
        return pass;
    }

    private static CollectPass delete(String sql, List<Token> tokens, List<ResolvedCall> calls, int end) {
        int from = topLevel(tokens, 1, "from");
        int using = topLevel(tokens, 1, "using");
        int where = topLevel(tokens, 1, "where");
        int returning = topLevel(tokens, 1, "returning");
        refuseCurrentOf(tokens, where, calls);
        if (from != 1) {
            throw refuse(calls, "this form of DELETE", null);
        }
        int targetEnd = firstOf(tokens, end, using, where, returning);
        java.util.List<int[]> parts = new java.util.ArrayList<>();
        java.util.List<String> glue = new java.util.ArrayList<>();
        glue.add("SELECT 1 FROM ");
        parts.add(new int[] {tokens.get(2).start(), targetEnd});
        if (using >= 0) {
            glue.add(", ");
            parts.add(new int[] {tokens.get(using + 1).start(), firstOf(tokens, end, where, returning)});
        }
        if (where >= 0) {
            glue.add(" WHERE ");
            parts.add(new int[] {tokens.get(where + 1).start(), returning < 0 ? end : tokens.get(returning).start()});
        }
        glue.add("");
        CollectPass pass = new CollectPass("DELETE", 0, parts.toArray(new int[0][]), glue.toArray(new String[0]));
        checkCovered(calls, pass, "RETURNING of a DELETE");
        return pass;
    }

    /** The earliest start offset among the given token indexes (-1 = absent), else {@code end}. */
    private static int firstOf(List<Token> tokens, int end, int... indexes) {
        int best = end;
        for (int i : indexes) {
            if (i >= 0) {
                best = Math.min(best, tokens.get(i).start());
            }
        }
        return best;
    }

    private static void refuseCurrentOf(List<Token> tokens, int where, List<ResolvedCall> calls) {
        if (where >= 0 && where + 2 < tokens.size() && tokens.get(where + 1).isKeyword("current") && tokens.get(where + 2).isKeyword("of")) {
            throw refuse(calls, "WHERE CURRENT OF with row-dependent pgml calls", "Use a key column in WHERE instead.");
        }
    }

    private static void refuseDataModifyingWith(List<Token> tokens, List<ResolvedCall> calls) {
        for (int i = 1; i + 1 < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct('(') && tokens.get(i - 1).isKeyword("as") || (t.isPunct('(') && tokens.get(i - 1).isKeyword("materialized"))) {
                Token next = tokens.get(i + 1);
                if (next.isKeyword("insert") || next.isKeyword("update") || next.isKeyword("delete")) {
                    throw refuse(calls, "row-dependent pgml calls in a statement with a data-modifying WITH",
                            "Run the INSERT/UPDATE/DELETE of the WITH as a statement of its own first.");
                }
            }
        }
    }

    /** Every call must lie inside the parts the collecting query evaluates. */
    private static void checkCovered(List<ResolvedCall> calls, CollectPass pass, String where) {
        for (ResolvedCall c : calls) {
            boolean inside = c.site().end() <= pass.prefixEnd;
            for (int[] p : pass.parts) {
                inside |= c.site().start() >= p[0] && c.site().end() <= p[1];
            }
            if (!inside) {
                throw refuse(List.of(c), "a row-dependent pgml call in " + where, "Compute it in the query part of the statement.");
            }
        }
    }

    /** Index of the first token from {@code from} at parenthesis depth 0 that is one of the words, or -1. */
    static int topLevel(List<Token> tokens, int from, String... words) {
        int depth = 0;
        for (int i = from; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if (t.isPunct(')') || t.isPunct(']')) {
                depth--;
            } else if (depth == 0) {
                for (String w : words) {
                    if (t.isKeyword(w)) {
                        return i;
                    }
                }
            }
        }
        return -1;
    }

    /** {@code WITH [NO] DATA} at the end of CREATE TABLE … AS, or -1. */
    private static int withDataClause(List<Token> tokens, int from) {
        for (int i = topLevel(tokens, from, "with"); i >= 0 && i + 1 < tokens.size(); i = topLevel(tokens, i + 1, "with")) {
            if (tokens.get(i + 1).isKeyword("data") || (tokens.get(i + 1).isKeyword("no") && i + 2 < tokens.size()
                    && tokens.get(i + 2).isKeyword("data"))) {
                return i;
            }
        }
        return -1;
    }

    /** End offset of the statement without trailing semicolons. */
    static int endOfStatement(String sql, List<Token> tokens) {
        int i = tokens.size() - 1;
        while (i > 0 && tokens.get(i).isPunct(';')) {
            i--;
        }
        return tokens.get(i).end();
    }

    static PgException refuse(List<ResolvedCall> calls, String shape, String hint) {
        return new PgException(new io.pgmlsidecar.proxy.codec.PgError("ERROR", "0A000", "pgml-sidecar does not serve " + shape + " yet",
                null, hint, calls.get(0).site().start() + 1));
    }
}
