package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Set-returning API calls anywhere in a query, e.g.
 * {@code SELECT d.id, c.chunk FROM documents d, LATERAL pgml.chunk('recursive_character', d.body) c}.
 * Pass 1 runs the query with each call replaced by a collecting function, which records the
 * argument tuples PostgreSQL evaluates and yields no rows; the sidecar then computes the rows of
 * every distinct tuple and stores them in a temporary table; pass 2 runs the query with the calls
 * replaced by a function reading that table. Joins, filters, ordering and LATERAL stay PostgreSQL's.
 * Pass 1 reads the statement's query as {@link CollectPass} finds it (also under INSERT … SELECT,
 * WITH … INSERT, CREATE TABLE … AS, UPDATE and DELETE), so only pass 2 writes.
 */
public final class TwoPassSetCalls implements Strategy {

    /** Computes one call's rows (text values) from its argument values (null = NULL). */
    public interface Rows {
        List<String[]> compute(SessionContext session, List<String> arguments);
    }

    /**
     * Row-wise calls of other functions over the set call's output, e.g. {@code SELECT c.chunk,
     * pgml.embed(m, c.chunk) FROM docs, LATERAL pgml.chunk(…) c}: they stand in the top-level
     * select list only, so standing in for them with NULLs in pass 1 cannot change the rows the set
     * calls see; pass 2 is then planned as a statement of its own (S2, INSERT … SELECT, …).
     */
    public record RowCalls(List<ResolvedCall> calls, Function<ResolvedCall, String> sqlType, Function<String, Strategy> planner) {}

    private final String sql;
    private final List<ResolvedCall> calls;
    private final CollectPass collect;
    private final SetFunctionTables tables;
    private final Rows rows;
    private final RowCalls rowCalls;
    private Strategy secondPass;
    private int[] parameterOids;

    private TwoPassSetCalls(String sql, List<ResolvedCall> calls, CollectPass collect, SetFunctionTables tables, Rows rows,
                            RowCalls rowCalls) {
        this.sql = sql;
        this.calls = calls;
        this.collect = collect;
        this.tables = tables;
        this.rows = rows;
        this.rowCalls = rowCalls;
    }

    /** Plans the statement, or refuses it (0A000) when the calls lie outside its query part. */
    public static TwoPassSetCalls plan(String sql, List<Token> tokens, List<ResolvedCall> calls, SetFunctionTables tables, Rows rows) {
        return new TwoPassSetCalls(sql, calls, CollectPass.plan(sql, tokens, calls), tables, rows, null);
    }

    /** The same, with row-wise calls of other functions in the top-level select list. */
    public static TwoPassSetCalls plan(String sql, List<Token> tokens, List<ResolvedCall> calls, SetFunctionTables tables, Rows rows,
                                       RowCalls rowCalls) {
        return new TwoPassSetCalls(sql, calls, CollectPass.plan(sql, tokens, calls), tables, rows, rowCalls);
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        tables.prepare(session.backend());
        if (rowCalls != null) {
            StatementInfo info = secondPass().describe(session, declared);
            parameterOids = ParameterTypes.orText(info.parameterTypeOids());
            return info;
        }
        StatementInfo info = session.backend().prepare("", pass(tables.serveFunction()), ParameterTypes.forCalls(declared, calls));
        parameterOids = ParameterTypes.orText(info.parameterTypeOids());
        return info;
    }

    private Strategy secondPass() {
        if (secondPass == null) {
            secondPass = rowCalls.planner().apply(pass(tables.serveFunction()));
        }
        return secondPass;
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        BackendClient backend = session.backend();
        tables.prepare(backend);
        List<ResolvedCall> replaced = new ArrayList<>(calls);
        if (rowCalls != null) {
            replaced.addAll(rowCalls.calls());
        }
        String collecting = collect.render((from, to) -> Splice.replaceCalls(sql.substring(0, to),
                replaced.stream().filter(c -> c.site().start() >= from && c.site().end() <= to).toList(),
                c -> calls.contains(c) ? tables.collectFunction() + "(" + Splice.carrier(c) + ")"
                        : "NULL::" + rowCalls.sqlType().apply(c)).substring(from));
        backend.prepare("", collecting, parameterOids);
        backend.bind("", "", parameters.formats(), parameters.values(), new short[0]);
        backend.execute("", 0, BackendSteps.collect(new ArrayList<>()));
        computeAndStore(session, tables.collectedArguments(backend));
        if (rowCalls != null) {
            return secondPass().start(session, parameters, resultFormats);
        }
        backend.prepare("", pass(tables.serveFunction()), parameterOids);
        backend.bind("", "", parameters.formats(), parameters.values(), resultFormats);
        return new Execution() {
            @Override
            public String fetch(SessionContext s, int maxRows) {
                return s.backend().execute("", maxRows, BackendSteps.toClient(s));
            }
        };
    }

    private void computeAndStore(SessionContext session, List<String> tuples) {
        List<String> keys = new ArrayList<>();
        List<Integer> ordinals = new ArrayList<>();
        List<String[]> values = new ArrayList<>();
        for (String tuple : tuples) {
            if (session.cancelRequested()) {
                throw new PgException("57014", "canceling statement due to user request", null);
            }
            List<String[]> result = rows.compute(session, TextArrays.parse(tuple));
            String hash = SetFunctionTables.tupleHash(tuple);
            for (int i = 0; i < result.size(); i++) {
                keys.add(hash);
                ordinals.add(i);
                values.add(result.get(i));
            }
            if (keys.size() >= 5000) {
                tables.store(session.backend(), keys, ordinals, values);
                keys.clear();
                ordinals.clear();
                values.clear();
            }
        }
        if (!keys.isEmpty()) {
            tables.store(session.backend(), keys, ordinals, values);
        }
    }

    private String pass(String function) {
        return Splice.replaceCalls(sql, calls, c -> function + "(" + Splice.carrier(c) + ")");
    }
}
