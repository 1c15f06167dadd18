package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ArgumentEvaluator;
import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.metrics.CallMetrics;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * S0 for API functions that return a table and do their work on the session
 * ({@code SELECT * FROM pgml.train(…)}, {@code SELECT pgml.load_dataset('iris')}): arguments are
 * evaluated, the action runs (its statements in the client's transaction), and the rows come back
 * as separate columns (FROM form) or as one composite value per row (select-list form), as
 * PostgreSQL shows a set-returning function in either place.
 */
public final class TableCall implements Strategy {

    /** What the function does; returns rows of text values (null = SQL NULL) matching {@code columns}. */
    public interface Action {
        List<String[]> run(SessionContext session, List<String> arguments);
    }

    private static final int RECORD_OID = 2249;

    private final ResolvedCall call;
    private final List<Column> columns;
    private final boolean asComposite;
    private final String compositeName;
    private final Action action;

    public TableCall(ResolvedCall call, List<Column> columns, boolean asComposite, String compositeName, Action action) {
        this.call = call;
        this.columns = columns;
        this.asComposite = asComposite;
        this.compositeName = compositeName;
        this.action = action;
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        List<Column> out = asComposite ? List.of(Column.computed(compositeName, RECORD_OID, (short) -1)) : columns;
        return new StatementInfo(ParameterTypes.forCalls(declared, List.of(call)), out);
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        List<String> args = ArgumentEvaluator.evaluate(session, call.arguments(), parameters);
        List<String[]> rows = CallMetrics.measure(session, call.function(), args.isEmpty() ? null : args.get(0), 1,
                () -> action.run(session, args));
        List<byte[][]> encoded = new ArrayList<>(rows.size());
        for (String[] r : rows) {
            encoded.add(asComposite ? new byte[][] {composite(r).getBytes(StandardCharsets.UTF_8)} : text(r));
        }
        return new Execution() {
            private int next;

            @Override
            public String fetch(SessionContext s, int maxRows) {
                int end = maxRows > 0 ? Math.min(encoded.size(), next + maxRows) : encoded.size();
                for (; next < end; next++) {
                    s.client().dataRow(encoded.get(next));
                }
                return next < encoded.size() ? null : "SELECT " + encoded.size();
            }
        };
    }

    private static byte[][] text(String[] r) {
        byte[][] out = new byte[r.length][];
        for (int i = 0; i < r.length; i++) {
            out[i] = r[i] == null ? null : r[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    /** PostgreSQL's text form of a record: (a,"b c",,d). */
    static String composite(String[] values) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            String v = values[i];
            if (v == null) {
                continue;
            }
            boolean quote = v.isEmpty() || v.chars().anyMatch(c -> c == ',' || c == '(' || c == ')' || c == '"' || c == '\\'
                    || Character.isWhitespace(c));
            sb.append(quote ? '"' + v.replace("\\", "\\\\").replace("\"", "\"\"") + '"' : v);
        }
        return sb.append(')').toString();
    }
}
