package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.CallFinder;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Row-dependent calls that are whole select-list items of a subquery or CTE, in any statement:
 * {@code WITH e AS (SELECT id, pgml.embed(m, body) AS v FROM docs) SELECT … FROM e …}. The
 * subquery is materialised first (see {@link Materializer}), as PostgreSQL would materialise a
 * CTE; then the statement runs with the subquery replaced by the result table, so WHERE, ORDER BY,
 * joins and aggregates over the embeddings are PostgreSQL's own.
 */
public final class SubqueryCalls implements Strategy {

    private final String sql;
    private final List<ResolvedCall> calls;
    private final List<ResolvedCall> outerConstants;
    private final int subqueryStart;
    private final int subqueryEnd;
    private final Materializer materializer;
    private final CallFunctions functions;
    private int[] parameterOids;

    private SubqueryCalls(String sql, List<ResolvedCall> calls, List<ResolvedCall> outerConstants, int subqueryStart,
                          int subqueryEnd, Materializer materializer, CallFunctions functions) {
        this.sql = sql;
        this.calls = calls;
        this.outerConstants = outerConstants;
        this.subqueryStart = subqueryStart;
        this.subqueryEnd = subqueryEnd;
        this.materializer = materializer;
        this.functions = functions;
    }

    /** Null when the row-dependent calls do not all sit in one parenthesised SELECT. */
    public static SubqueryCalls plan(String sql, List<Token> tokens, List<ResolvedCall> calls,
                                     Function<String, SelectListCalls> selectPlanner, CallFunctions functions) {
        int open = -1;
        for (ResolvedCall c : calls) {
            if (c.isConstant()) {
                continue;
            }
            int o = enclosingSubquery(tokens, c.site().firstToken());
            if (o < 0 || (open >= 0 && o != open)) {
                return null;
            }
            open = o;
        }
        if (open < 0) {
            return null;
        }
        int close = CallFinder.matchingParen(tokens, open);
        int start = tokens.get(open + 1).start();
        int end = tokens.get(close - 1).end();
        List<ResolvedCall> outer = new ArrayList<>();
        for (ResolvedCall c : calls) {
            if (c.site().end() <= start || c.site().start() >= end) {
                outer.add(c);
            }
        }
        SelectListCalls inner = selectPlanner.apply(sql.substring(start, end));
        return new SubqueryCalls(sql, calls, outer, start, end, new Materializer(inner, functions), functions);
    }

    /** The '(' of the nearest enclosing parenthesised SELECT or WITH around token {@code at}, or -1. */
    private static int enclosingSubquery(List<Token> tokens, int at) {
        int depth = 0;
        for (int i = at - 1; i >= 0; i--) {
            Token t = tokens.get(i);
            if (t.isPunct(')')) {
                depth++;
            } else if (t.isPunct('(')) {
                if (depth > 0) {
                    depth--;
                } else if (i + 1 < tokens.size() && (tokens.get(i + 1).isKeyword("select") || tokens.get(i + 1).isKeyword("with"))) {
                    return i;
                }
            }
        }
        return -1;
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
        BackendClient backend = session.backend();
        Map<ResolvedCall, String> constants = ConstantSplice.evaluateOnce(session, outerConstants, parameters, functions);
        String result = materializer.materialize(session, parameterOids, parameters);
        String before = Splice.replaceCalls(sql.substring(0, subqueryStart),
                outerConstants.stream().filter(c -> c.site().end() <= subqueryStart).toList(), constants::get);
        String after = sql.substring(subqueryEnd);
        StringBuilder rest = new StringBuilder();
        int at = 0;
        for (ResolvedCall c : outerConstants.stream().filter(c -> c.site().start() >= subqueryEnd)
                .sorted(java.util.Comparator.comparingInt(c -> c.site().start())).toList()) {
            rest.append(after, at, c.site().start() - subqueryEnd).append(constants.get(c));
            at = c.site().end() - subqueryEnd;
        }
        rest.append(after.substring(at));
        backend.prepare("", before + "SELECT * FROM " + result + rest, parameterOids);
        backend.bind("", "", parameters.formats(), parameters.values(), resultFormats);
        return new Execution() {
            @Override
            public String fetch(SessionContext s, int maxRows) {
                return s.backend().execute("", maxRows, BackendSteps.toClient(s));
            }

            @Override
            public void close(SessionContext s) {
                BackendSteps.run(s.backend(), "DROP TABLE IF EXISTS " + result);
            }
        };
    }
}
