package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ArgumentEvaluator;
import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.metrics.CallMetrics;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;

/**
 * S0: the statement is one call with constant arguments and nothing else, e.g.
 * {@code SELECT pgml.embed('m', $1)} or {@code SELECT * FROM pgml.embed('m', ARRAY[...])}; the
 * sidecar answers it itself. Arguments that are literals or parameters need no round trip.
 */
public final class CallAlone implements Strategy {

    /** Computes the result rows (already in wire form per format) from the argument values. */
    public interface Evaluation {
        List<byte[]> rows(SessionContext session, List<String> arguments, short format);
    }

    private final ResolvedCall call;
    private final Column column;
    private final Evaluation evaluation;
    private final boolean usesBackendSteps;

    /** An evaluation that needs nothing of the backend beyond complete exchanges (embed, version). */
    public CallAlone(ResolvedCall call, Column column, Evaluation evaluation) {
        this(call, column, evaluation, false);
    }

    /** {@code usesBackendSteps}: the evaluation runs extended steps on the backend (registry look-ups). */
    public CallAlone(ResolvedCall call, Column column, Evaluation evaluation, boolean usesBackendSteps) {
        this.call = call;
        this.column = column;
        this.evaluation = evaluation;
        this.usesBackendSteps = usesBackendSteps;
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        return new StatementInfo(ParameterTypes.forCalls(declared, List.of(call)), List.of(column));
    }

    @Override
    public boolean usesBackendSteps() {
        return usesBackendSteps;
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        List<String> args = ArgumentEvaluator.evaluate(session, call.arguments(), parameters);
        short format = resultFormats.length > 0 ? resultFormats[0] : 0;
        List<byte[]> rows = CallMetrics.measure(session, call.function(), args.isEmpty() ? null : args.get(0), 1,
                () -> evaluation.rows(session, args, format));
        return new Execution() {
            private int next;

            @Override
            public String fetch(SessionContext s, int maxRows) {
                int end = maxRows > 0 ? Math.min(rows.size(), next + maxRows) : rows.size();
                for (; next < end; next++) {
                    s.client().dataRow(new byte[][] {rows.get(next)});
                }
                return next < rows.size() ? null : "SELECT " + rows.size();
            }
        };
    }
}
