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

/**
 * Set-returning API calls anywhere in a query, e.g.
 * {@code SELECT d.id, c.chunk FROM documents d, LATERAL pgml.chunk('recursive_character', d.body) c}.
 * Pass 1 runs the query with each call replaced by a collecting function, which records the
 * argument tuples PostgreSQL evaluates and yields no rows; the sidecar then computes the rows of
 * every distinct tuple and stores them in a temporary table; pass 2 runs the query with the calls
 * replaced by a function reading that table. Joins, filters, ordering and LATERAL stay PostgreSQL's.
 * The query is read twice, so it must be a SELECT (also under INSERT … SELECT or CREATE TABLE … AS).
 */
public final class TwoPassSetCalls implements Strategy {

    /** Computes one call's rows (text values) from its argument values (null = NULL). */
    public interface Rows {
        List<String[]> compute(SessionContext session, List<String> arguments);
    }

    private final String sql;
    private final List<ResolvedCall> calls;
    private final int queryStart;
    private final SetFunctionTables tables;
    private final Rows rows;
    private int[] parameterOids;

    private TwoPassSetCalls(String sql, List<ResolvedCall> calls, int queryStart, SetFunctionTables tables, Rows rows) {
        this.sql = sql;
        this.calls = calls;
        this.queryStart = queryStart;
        this.tables = tables;
        this.rows = rows;
    }

    /** Plans the statement, or refuses it when its query part cannot be found. */
    public static TwoPassSetCalls plan(String sql, List<Token> tokens, List<ResolvedCall> calls, SetFunctionTables tables, Rows rows) {
        int start = queryStart(tokens);
        if (start < 0) {
            throw new PgException("0A000", "pgml-sidecar serves " + calls.get(0).site().qualifiedName()
                    + "() with row-dependent arguments only in SELECT, INSERT … SELECT and CREATE TABLE … AS SELECT",
                    "Select the rows first, e.g. INSERT INTO chunks SELECT … FROM documents, LATERAL pgml.chunk(…).");
        }
        for (ResolvedCall c : calls) {
            if (c.site().start() < tokens.get(start).start()) {
                throw new PgException("0A000", "a set-returning pgml call outside the statement's query", null);
            }
        }
        return new TwoPassSetCalls(sql, calls, tokens.get(start).start(), tables, rows);
    }

    /** Index of the token where the statement's query begins (SELECT / WITH / VALUES / TABLE), or -1. */
    private static int queryStart(List<Token> tokens) {
        Token first = tokens.get(0);
        if (first.isKeyword("select") || first.isKeyword("with") || first.isKeyword("values") || first.isKeyword("table")) {
            return 0;
        }
        if (!first.isKeyword("insert") && !first.isKeyword("create")) {
            return -1;
        }
        int depth = 0;
        for (int i = 1; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct('(')) {
                depth++;
            } else if (t.isPunct(')')) {
                depth--;
            } else if (depth == 0 && (t.isKeyword("select") || t.isKeyword("with"))) {
                return i;
            } else if (depth == 1 && t.isKeyword("select") && tokens.get(i - 1).isPunct('(') && first.isKeyword("insert")) {
                return -1; // INSERT … (SELECT …): keep it simple
            }
        }
        return -1;
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        tables.prepare(session.backend());
        StatementInfo info = session.backend().prepare("", pass(tables.serveFunction()), ParameterTypes.forCalls(declared, calls));
        parameterOids = ParameterTypes.orText(info.parameterTypeOids());
        return info;
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        BackendClient backend = session.backend();
        tables.prepare(backend);
        // the calls all lie after queryStart, so the text before it is unchanged by the replacement
        String query = stripSemicolons(pass(tables.collectFunction()).substring(queryStart));
        String collect = "SELECT count(*) FROM (" + query + "\n) pgml_sidecar_pass1";
        backend.prepare("", collect, parameterOids);
        backend.bind("", "", parameters.formats(), parameters.values(), new short[0]);
        backend.execute("", 0, BackendSteps.collect(new ArrayList<>()));
        computeAndStore(session, tables.collectedArguments(backend));
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
            for (int i = 0; i < result.size(); i++) {
                keys.add(tuple);
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

    private static String stripSemicolons(String s) {
        String t = s.strip();
        while (t.endsWith(";")) {
            t = t.substring(0, t.length() - 1).strip();
        }
        return t;
    }
}
