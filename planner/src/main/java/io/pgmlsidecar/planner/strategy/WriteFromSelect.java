package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.scan.TopLevel;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.function.Function;

/**
 * S3 for {@code INSERT INTO t [(cols)] SELECT … pgml.embed(…) … [ON CONFLICT …] [RETURNING …]} and
 * {@code CREATE TABLE t AS SELECT … pgml.embed(…) …}: PostgreSQL materialises the SELECT with the
 * calls' argument carriers into a temporary table, the sidecar runs the model over it in chunks
 * into a staging table, and the original statement runs over their join. All in the client's
 * transaction, so an error or a disconnect leaves nothing.
 */
public final class WriteFromSelect implements Strategy {

    private final String sql;
    private final List<ResolvedCall> calls;
    private final String prefix;
    private final String suffix;
    private final Materializer materializer;
    private final CallFunctions functions;
    private int[] parameterOids;

    private WriteFromSelect(String sql, List<ResolvedCall> calls, String prefix, SelectListCalls select, String suffix,
                            CallFunctions functions) {
        this.sql = sql;
        this.calls = calls;
        this.prefix = prefix;
        this.suffix = suffix;
        this.materializer = new Materializer(select, functions);
        this.functions = functions;
    }

    /**
     * Null when the statement is neither INSERT … SELECT nor CREATE TABLE … AS SELECT.
     *
     * @param selectPlanner plans the SELECT part as S2 (refusing what S2 cannot serve)
     */
    public static WriteFromSelect plan(String sql, List<Token> tokens, List<ResolvedCall> calls,
                                       Function<String, SelectListCalls> selectPlanner, CallFunctions functions) {
        if (tokens.isEmpty()) {
            return null;
        }
        boolean insert = tokens.get(0).isKeyword("insert");
        boolean create = tokens.get(0).isKeyword("create") && isCreateTableAs(tokens);
        if (!insert && !create) {
            return null;
        }
        int depth = 0;
        int selectStart = -1;
        int selectEnd = tokens.size();
        for (int i = 1; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if (t.isPunct(')') || t.isPunct(']')) {
                depth--;
            } else if (depth == 0 && selectStart < 0 && t.isKeyword("select")) {
                selectStart = i;
            } else if (depth == 0 && selectStart >= 0 && (t.isKeyword("returning") || t.isPunct(';')
                    || (t.isKeyword("on") && i + 1 < tokens.size() && tokens.get(i + 1).isKeyword("conflict"))
                    || (create && t.isKeyword("with") && i + 1 < tokens.size()
                        && (tokens.get(i + 1).isKeyword("data") || tokens.get(i + 1).isKeyword("no"))))) {
                selectEnd = i;
                break;
            }
        }
        if (selectStart < 0) {
            return null;
        }
        int from = tokens.get(selectStart).start();
        int to = selectEnd < tokens.size() ? tokens.get(selectEnd).start() : sql.length();
        for (ResolvedCall c : calls) {
            if (c.site().start() < from || c.site().end() > to) {
                return null; // a call outside the SELECT part: not this shape
            }
        }
        String suffix = selectEnd < tokens.size() ? sql.substring(to).replaceFirst(";\\s*$", "") : "";
        SelectListCalls select = selectPlanner.apply(sql.substring(from, to).trim());
        return new WriteFromSelect(sql, calls, sql.substring(0, from), select, suffix, functions);
    }

    private static final java.util.Set<String> TABLE_MODIFIERS = java.util.Set.of("temp", "temporary", "unlogged", "global", "local");

    /** CREATE [TEMP …] TABLE t [(columns)] AS …: the AS outside the column list (a generated column has one inside). */
    private static boolean isCreateTableAs(List<Token> tokens) {
        int table = 1;
        while (table < tokens.size() && TABLE_MODIFIERS.contains(tokens.get(table).text().toLowerCase(java.util.Locale.ROOT))) {
            table++;
        }
        return table < tokens.size() && tokens.get(table).isKeyword("table")
                && TopLevel.find(tokens, table + 1, t -> t.isKeyword("as")) > 0;
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        int[] oids = ParameterTypes.forCalls(declared, calls);
        materializer.describe(session, ParameterTypes.orText(oids));
        StatementInfo info = Splice.describeShape(session, sql, calls, oids, functions);
        parameterOids = ParameterTypes.orText(info.parameterTypeOids());
        return info;
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        return (s, maxRows) -> run(s, parameters, resultFormats);
    }

    private String run(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        BackendClient backend = session.backend();
        String result = materializer.materialize(session, parameterOids, parameters);
        backend.prepare("", prefix + "SELECT * FROM " + result + (suffix.isEmpty() ? "" : " " + suffix), parameterOids);
        backend.bind("", "", parameters.formats(), parameters.values(), resultFormats);
        String tag = backend.execute("", 0, BackendSteps.toClient(session));
        BackendSteps.run(backend, "DROP TABLE " + result);
        return tag;
    }
}
