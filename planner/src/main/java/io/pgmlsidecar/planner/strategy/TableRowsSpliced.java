package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ArgumentEvaluator;
import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.FromItems;
import io.pgmlsidecar.planner.scan.SqlLexer;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Functions that do their work on the session and return a table ({@code pgml.train},
 * {@code deploy}, {@code load_dataset}, {@code snapshot}, {@code tune}) standing as FROM items of
 * a larger query, e.g. {@code SELECT project, deployed FROM pgml.train(…) WHERE …}. Each runs once,
 * with constant arguments, before the query; its rows are spliced in as a VALUES list named as
 * PostgreSQL names the function's FROM item, and PostgreSQL runs the query over them. Describe
 * splices an empty table of the same columns, so nothing runs before Execute.
 */
public final class TableRowsSpliced implements Strategy {

    /** A function's result columns and its action. */
    public record Table(List<Column> columns, TableCall.Action action) {}

    private final String sql;
    private final Map<ResolvedCall, Table> calls;
    private int[] parameterOids;

    public TableRowsSpliced(String sql, Map<ResolvedCall, Table> calls) {
        this.sql = sql;
        this.calls = calls;
    }

    /** True when the call stands as a FROM item ({@code FROM f(…) [alias]}, {@code JOIN f(…)}, {@code , f(…)}). */
    public static boolean standsInFrom(List<Token> tokens, ResolvedCall call) {
        int after = call.site().lastToken() + 1;
        boolean ordinality = after < tokens.size() && tokens.get(after).isKeyword("with");
        return FromItems.isFromItem(tokens, call.site().firstToken()) && !ordinality;
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        StatementInfo info = session.backend().prepare("", splice(session, null), ParameterTypes.forCalls(declared,
                List.copyOf(calls.keySet())));
        parameterOids = ParameterTypes.orText(info.parameterTypeOids());
        return info;
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        Map<ResolvedCall, List<String[]>> rows = new HashMap<>();
        for (Map.Entry<ResolvedCall, Table> e : calls.entrySet()) {
            List<String> args = ArgumentEvaluator.evaluate(session, e.getKey().arguments(), parameters);
            rows.put(e.getKey(), e.getValue().action().run(session, args));
        }
        BackendClient backend = session.backend();
        backend.prepare("", splice(session, rows), parameterOids == null ? parameters.typeOids() : parameterOids);
        backend.bind("", "", parameters.formats(), parameters.values(), resultFormats);
        return (s, maxRows) -> s.backend().execute("", maxRows, BackendSteps.toClient(s));
    }

    /** The statement with each call replaced by its rows ({@code rows} null: by no rows). */
    private String splice(SessionContext session, Map<ResolvedCall, List<String[]>> rows) {
        List<Token> tokens = SqlLexer.tokenize(sql);
        return Splice.replaceCalls(sql, List.copyOf(calls.keySet()), c -> {
            List<Column> columns = calls.get(c).columns();
            String alias = FromItems.alias(tokens, c.site().lastToken());
            String table = values(columns, rows == null ? List.of() : rows.get(c));
            return "(" + table + ")" + (alias != null ? "" : " AS " + Splice.quoteIdentifier(c.site().function()));
        });
    }

    /** {@code SELECT * FROM (VALUES ('a'::text, …), …) v(col, …)}, or the columns' NULLs WHERE false. */
    static String values(List<Column> columns, List<String[]> rows) {
        StringBuilder sb = new StringBuilder();
        if (rows.isEmpty()) {
            sb.append("SELECT ");
            for (int i = 0; i < columns.size(); i++) {
                sb.append(i > 0 ? ", " : "").append("NULL::").append(typeName(columns.get(i))).append(" AS ")
                        .append(Splice.quoteIdentifier(columns.get(i).name()));
            }
            return sb.append(" WHERE false").toString();
        }
        sb.append("SELECT * FROM (VALUES ");
        for (int r = 0; r < rows.size(); r++) {
            sb.append(r > 0 ? ", " : "").append('(');
            for (int i = 0; i < columns.size(); i++) {
                String v = rows.get(r)[i];
                sb.append(i > 0 ? ", " : "").append(v == null ? "NULL" : "'" + v.replace("'", "''") + "'")
                        .append("::").append(typeName(columns.get(i)));
            }
            sb.append(')');
        }
        sb.append(") AS v(");
        for (int i = 0; i < columns.size(); i++) {
            sb.append(i > 0 ? ", " : "").append(Splice.quoteIdentifier(columns.get(i).name()));
        }
        return sb.append(')').toString();
    }

    private static String typeName(Column column) {
        String name = PgTypes.builtinName(column.typeOid());
        return name == null ? "text" : name;
    }
}
