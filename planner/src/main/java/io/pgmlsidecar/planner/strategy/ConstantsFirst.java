package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A statement mixing calls with constant arguments and calls another strategy serves, e.g.
 * PostgresML's unified RAG query: {@code WITH q AS (SELECT pgml.embed(m, 'question') …) … pgml.rank(m,
 * 'question', array_agg(chunk)) …}. The constant calls are evaluated once and spliced in as typed
 * literals, as {@link ConstantSplice} does; the statement that results holds only the other calls
 * and is planned and run as a statement of its own. The constants are evaluated at describe time,
 * so their arguments may not use parameters.
 */
public final class ConstantsFirst implements Strategy {

    private final String sql;
    private final List<ResolvedCall> constants;
    private final CallFunctions functions;
    private final Function<String, Strategy> planner;
    private Strategy rest;

    public ConstantsFirst(String sql, List<ResolvedCall> constants, CallFunctions functions, Function<String, Strategy> planner) {
        this.sql = sql;
        this.constants = constants;
        this.functions = functions;
        this.planner = planner;
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declaredParameterOids) {
        return rest(session).describe(session, declaredParameterOids);
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        return rest(session).start(session, parameters, resultFormats);
    }

    /** The statement with the constants spliced in, planned on first use. */
    private Strategy rest(SessionContext session) {
        if (rest == null) {
            Map<ResolvedCall, String> literals = ConstantSplice.evaluateOnce(session, constants, BoundParameters.NONE, functions);
            rest = planner.apply(Splice.replaceValues(sql, constants, literals::get));
        }
        return rest;
    }
}
