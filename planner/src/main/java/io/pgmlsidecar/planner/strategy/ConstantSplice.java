package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ArgumentEvaluator;
import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * S1: every call's arguments are constant (literals, parameters, expressions without columns),
 * wherever the calls stand: each is evaluated once, and its value is spliced into the statement
 * as a typed literal ({@code '{…}'::real[]}); PostgreSQL runs the rest as written.
 */
public final class ConstantSplice implements Strategy {

    private final String sql;
    private final List<ResolvedCall> calls;
    private final CallFunctions functions;
    private int[] parameterOids;

    public ConstantSplice(String sql, List<ResolvedCall> calls, CallFunctions functions) {
        this.sql = sql;
        this.calls = calls;
        this.functions = functions;
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        int[] oids = ParameterTypes.forCalls(declared, calls);
        StatementInfo info = Splice.describeShape(session, sql, calls, oids, functions);
        parameterOids = info.parameterTypeOids();
        return info;
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        Map<ResolvedCall, String> literals = evaluateOnce(session, calls, parameters, functions);
        String rewritten = Splice.replaceValues(sql, calls, literals::get);
        BackendClient backend = session.backend();
        backend.prepare("", rewritten, parameterOids == null ? parameters.typeOids() : parameterOids);
        backend.bind("", "", parameters.formats(), parameters.values(), resultFormats);
        return (s, maxRows) -> s.backend().execute("", maxRows, BackendSteps.toClient(s));
    }

    /** Each constant call evaluated once, as a typed SQL literal to splice in its place. */
    static Map<ResolvedCall, String> evaluateOnce(SessionContext session, List<ResolvedCall> calls, BoundParameters parameters,
                                                  CallFunctions functions) {
        Map<ResolvedCall, String> literals = new HashMap<>();
        for (ResolvedCall c : calls) {
            List<String> args = ArgumentEvaluator.evaluate(session, c.arguments(), parameters);
            Object value = functions.apply(session, c, List.<String[]>of(args.toArray(new String[0])))[0];
            literals.put(c, functions.literal(c, value));
        }
        return literals;
    }
}
