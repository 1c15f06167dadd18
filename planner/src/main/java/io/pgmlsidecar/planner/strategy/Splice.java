package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ResolvedCall;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/** Rewrites a statement by replacing call sites with other text; every other byte stays. */
final class Splice {
    private Splice() {}

    /** Replace [start, end) of the statement by {@code text} (start == end: insert). */
    record Edit(int start, int end, String text) {}

    /** Applies edits that do not overlap; insertions at one offset keep their order. */
    static String apply(String sql, List<Edit> edits) {
        List<Edit> ordered = edits.stream().sorted(Comparator.comparingInt(Edit::start)).toList();
        StringBuilder out = new StringBuilder(sql.length() + 64);
        int at = 0;
        for (Edit e : ordered) {
            out.append(sql, at, e.start()).append(e.text());
            at = e.end();
        }
        return out.append(sql, at, sql.length()).toString();
    }

    static String replaceCalls(String sql, List<ResolvedCall> calls, Function<ResolvedCall, String> replacement) {
        return apply(sql, calls.stream().map(c -> new Edit(c.site().start(), c.site().end(), replacement.apply(c))).toList());
    }

    /**
     * Replaces each call by a value expression. A call standing as a FROM item becomes a one-row
     * subquery whose table and column carry the alias (else the function's name), as PostgreSQL
     * names a scalar function's result in FROM.
     */
    static String replaceValues(String sql, List<ResolvedCall> calls, Function<ResolvedCall, String> value) {
        List<io.pgmlsidecar.planner.scan.Token> tokens = io.pgmlsidecar.planner.scan.SqlLexer.tokenize(sql);
        return replaceCalls(sql, calls, c -> {
            if (!io.pgmlsidecar.planner.scan.FromItems.isFromItem(tokens, c.site().firstToken())) {
                return value.apply(c);
            }
            String alias = io.pgmlsidecar.planner.scan.FromItems.alias(tokens, c.site().lastToken());
            String name = quoteIdentifier(alias != null ? alias : c.site().function());
            return "(SELECT " + value.apply(c) + " AS " + name + ")" + (alias != null ? "" : " AS " + name);
        });
    }

    static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * Prepares {@code sql} with every call replaced by a NULL of its result type, so PostgreSQL
     * reports the statement's parameter types and result columns as they will be.
     */
    static io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo describeShape(
            io.pgmlsidecar.proxy.intercept.SessionContext session, String sql, List<ResolvedCall> calls, int[] parameterOids,
            io.pgmlsidecar.planner.functions.CallFunctions functions) {
        return session.backend().prepare("", replaceValues(sql, calls, c -> "NULL::" + functions.sqlType(c)), parameterOids);
    }

    /** {@code ARRAY[(a1)::text, …]}: carries a call's argument values through PostgreSQL per row. */
    static String carrier(ResolvedCall c) {
        StringBuilder sb = new StringBuilder("ARRAY[");
        for (int i = 0; i < c.arguments().size(); i++) {
            sb.append(i > 0 ? ", " : "").append('(').append(c.arguments().get(i).sql()).append(")::text");
        }
        return sb.append(']').toString();
    }

    /**
     * Replaces every call, nested ones too: {@code replacement} receives the call and its
     * arguments' text with the calls inside them already replaced.
     */
    static String replaceNested(String sql, List<ResolvedCall> calls, java.util.function.BiFunction<ResolvedCall, List<String>, String> replacement) {
        List<ResolvedCall> outer = outermost(calls, 0, sql.length());
        return render(sql, 0, sql.length(), outer, calls, replacement);
    }

    private static String render(String sql, int from, int to, List<ResolvedCall> here, List<ResolvedCall> all,
                                 java.util.function.BiFunction<ResolvedCall, List<String>, String> replacement) {
        StringBuilder out = new StringBuilder(to - from + 64);
        int at = from;
        for (ResolvedCall c : here) {
            out.append(sql, at, c.site().start());
            List<String> args = new java.util.ArrayList<>(c.arguments().size());
            for (io.pgmlsidecar.planner.functions.ArgumentExpression a : c.arguments()) {
                int[] span = spanIn(sql, a);
                if (span == null) {
                    args.add(a.sql()); // a default: holds no call
                } else {
                    args.add(render(sql, span[0], span[1], outermost(all, span[0], span[1]), all, replacement));
                }
            }
            out.append(replacement.apply(c, args));
            at = c.site().end();
        }
        return out.append(sql, at, to).toString();
    }

    /** Where an argument lies in the statement, or null for a default (its tokens are its own). */
    private static int[] spanIn(String sql, io.pgmlsidecar.planner.functions.ArgumentExpression a) {
        if (a.tokens().isEmpty()) {
            return null;
        }
        int start = a.tokens().get(0).start();
        int end = a.tokens().get(a.tokens().size() - 1).end();
        return end <= sql.length() && sql.substring(start, end).equals(a.sql()) ? new int[] {start, end} : null;
    }

    /** The calls within [from, to) that no other call within it contains, in text order. */
    static List<ResolvedCall> outermost(List<ResolvedCall> calls, int from, int to) {
        List<ResolvedCall> inside = calls.stream().filter(c -> c.site().start() >= from && c.site().end() <= to).toList();
        return inside.stream()
                .filter(c -> inside.stream().noneMatch(o -> o != c && contains(o, c)))
                .sorted(Comparator.comparingInt(c -> c.site().start()))
                .toList();
    }

    /** True when {@code inner} lies inside the arguments of {@code outer}. */
    static boolean contains(ResolvedCall outer, ResolvedCall inner) {
        return inner.site().start() > outer.site().start() && inner.site().end() <= outer.site().end();
    }
}
