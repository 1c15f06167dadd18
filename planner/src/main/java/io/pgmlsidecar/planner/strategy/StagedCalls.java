package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ApiFunction;
import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The general strategy (decision 17): row-wise calls anywhere PostgreSQL allows an expression —
 * inside expressions, WHERE, ORDER BY, GROUP BY, HAVING, JOIN … ON, CASE, subqueries, CTEs,
 * LATERAL, with aggregates as arguments, nested in each other. PostgreSQL does all the relational
 * work; each call becomes a lookup function of its argument values ({@link LookupTables}).
 *
 * <ol>
 *   <li>Collect: the statement's query runs under {@code count(*)} with every call recording the
 *       argument tuples it is asked for and answering NULL (innermost calls first when calls nest);
 *       when the calls of a SELECT read only its one table's columns, one {@code SELECT DISTINCT} of
 *       their arguments over that table instead ({@link DirectStaging}, decision 24).</li>
 *   <li>Compute: the distinct tuples are read in chunks, the model runs once per chunk, the
 *       results go into the session's temporary table.</li>
 *   <li>When a call's result decides which rows reach another call ({@link CallDependence}),
 *       collect again until a pass finds nothing new.</li>
 *   <li>Serve: the statement runs as written with every call answered from the table; a tuple
 *       without a result is an error, never a silent NULL.</li>
 * </ol>
 * Everything runs on the client's session, in its transaction.
 */
public final class StagedCalls implements Strategy {

    private static final int MAX_PASSES = 8;
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final String sql;
    private final List<ResolvedCall> calls;
    private final CallFunctions functions;
    private final CollectPass collect;
    private final Map<ApiFunction, LookupTables> tables = new LinkedHashMap<>();
    private final Map<ResolvedCall, Integer> depths = new HashMap<>();
    private final int maxDepth;
    private final boolean verify;
    /** Whether the serving pass may answer calls with sub-selects instead of function calls ({@link #subSelectsServe}). */
    private final boolean inlineServing;
    /** The fast path for calls over one table's columns (decision 24), or null when the shape does not qualify. */
    private final DirectStaging direct;
    /** Whether this session's execution takes the fast path: the FROM name is a table (known after {@link #describe}). */
    private boolean directApplies;
    private int[] parameterOids;

    int[] parameterOids() {
        return parameterOids;
    }
    /** What the last execution did, for EXPLAIN ANALYZE and tests. */
    private final Stats stats = new Stats();

    /** Counts of the last execution. */
    public static final class Stats {
        public int passes;
        public int computed;
        /** Results written to the session's tables (fewer than computed when the direct collect decides while computing). */
        public int stored;
        public int modelCalls;
        public long modelNanos;
    }

    private StagedCalls(String sql, List<ResolvedCall> calls, CallFunctions functions, CollectPass collect, boolean verify,
            boolean inlineServing, DirectCollect directCollect) {
        this.sql = sql;
        this.calls = calls;
        this.functions = functions;
        this.collect = collect;
        this.verify = verify;
        int deepest = 1;
        for (ResolvedCall c : calls) {
            tables.computeIfAbsent(c.function(), f -> new LookupTables(f, functions.sqlType(c)));
            int d = CallDependence.depth(c, calls);
            depths.put(c, d);
            deepest = Math.max(deepest, d);
        }
        this.maxDepth = deepest;
        // a nested call's key would be written twice in the sub-select, and again per level: functions then
        this.inlineServing = inlineServing && deepest == 1;
        this.direct = directCollect == null ? null : new DirectStaging(sql, calls, directCollect, functions);
    }

    /** Plans the statement; throws 0A000 for a statement whose calls the collecting query cannot reach. */
    public static StagedCalls plan(String sql, List<Token> tokens, List<ResolvedCall> calls, CallFunctions functions) {
        CollectPass collect = CollectPass.plan(sql, tokens, calls);
        boolean inline = subSelectsServe(tokens);
        return new StagedCalls(sql, calls, functions, collect, CallDependence.needsVerification(tokens, calls), inline,
                inline ? DirectCollect.plan(sql, tokens, calls) : null);
    }

    /** Words after which a sub-select may not stand where a call stood, or may not match an equal expression elsewhere. */
    private static final java.util.Set<String> NO_SUB_SELECT = java.util.Set.of("group", "having", "distinct", "window", "over",
            "grouping", "rollup", "cube", "partition", "within", "filter");

    /**
     * A sub-select answers a call as the function would, except where PostgreSQL treats the two
     * differently: window functions in the arguments belong to the sub-select's level, and
     * GROUP BY / DISTINCT must match a select-list expression to a grouping one. Those statements
     * keep the function.
     */
    static boolean subSelectsServe(List<Token> tokens) {
        for (Token t : tokens) {
            if (t.kind() == Token.Kind.IDENTIFIER && NO_SUB_SELECT.contains(t.text().toLowerCase(java.util.Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    public Stats stats() {
        return stats;
    }

    /** The statement with every call answered from the lookup table (what the last pass runs). */
    public String servingSql() {
        if (directApplies) {
            return direct.servingSql();
        }
        if (inlineServing) {
            return Splice.replaceNested(sql, calls, (c, args) -> tables.get(c.function()).inlineLookup(args));
        }
        return render(0, sql.length(), c -> LookupTables.SERVE);
    }

    /** The collecting query of the pass that collects calls up to nesting depth {@code level}. */
    String collectingSql(int level) {
        return collect.render((from, to) -> render(from, to, c -> depths.get(c) <= level ? LookupTables.COLLECT : LookupTables.LATER));
    }

    public String kind() {
        return collect.kind();
    }

    public int batchRows() {
        return io.pgmlsidecar.planner.BatchSizes.stagedRows();
    }

    public int maxDepth() {
        return maxDepth;
    }

    public boolean verifies() {
        return verify && !directApplies;
    }

    /** Whether the statement's shape allows the direct collect (decision 24); the session decides in {@link #describe}. */
    public boolean directCandidate() {
        return direct != null;
    }

    /** What the direct collect decides while computing (decision 33), null: nothing or not collecting directly. */
    String pushdown() {
        return directApplies ? direct.pushdown() : null;
    }

    /** Whether the last {@link #describe} chose the direct collect. */
    public boolean collectsDirectly() {
        return directApplies;
    }

    /** The direct collecting query of the first call (for tests and EXPLAIN). */
    String directCollectingSql() {
        return direct.collectingSql(calls.get(0));
    }

    public List<ResolvedCall> calls() {
        return calls;
    }

    private String render(int from, int to, java.util.function.ToIntFunction<ResolvedCall> mode) {
        String part = sql.substring(0, to);
        String rendered = Splice.replaceNested(part, calls.stream().filter(c -> c.site().start() >= from && c.site().end() <= to).toList(),
                (c, args) -> tables.get(c.function()).lookup(args, mode.applyAsInt(c)));
        // the text before {@code from} holds no call of the range, so it is unchanged at the front
        return rendered.substring(from);
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        directApplies = direct != null && direct.applies(session.backend());
        if (directApplies) {
            direct.prepare(session.backend(), false);
            direct.type(session.backend(), ParameterTypes.forCalls(declared, calls));
        } else {
            for (LookupTables t : tables.values()) {
                t.prepare(session.backend(), false);
            }
        }
        StatementInfo info = session.backend().prepare("", servingSql(), ParameterTypes.forCalls(declared, calls));
        parameterOids = ParameterTypes.orText(info.parameterTypeOids());
        return info;
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        BackendClient backend = session.backend();
        collectAndCompute(session, parameters);
        backend.prepare("", servingSql(), parameterOids);
        backend.bind("", "", parameters.formats(), parameters.values(), resultFormats);
        return new Execution() {
            @Override
            public String fetch(SessionContext s, int maxRows) {
                return s.backend().execute("", maxRows, BackendSteps.toClient(s));
            }
        };
    }

    /** Runs the collecting passes and computes every call's results into the lookup tables. */
    void collectAndCompute(SessionContext session, BoundParameters parameters) {
        stats.passes = 0;
        stats.computed = 0;
        stats.stored = 0;
        stats.modelCalls = 0;
        stats.modelNanos = 0;
        if (directApplies) {
            direct.collectAndCompute(session, parameterOids, parameters, stats);
            return;
        }
        for (LookupTables t : tables.values()) {
            t.prepare(session.backend(), true);
        }
        int level = 1;
        while (true) {
            runCollectingPass(session.backend(), collectingSql(Math.min(level, maxDepth)), parameters);
            boolean found = computeMissing(session);
            if (level < maxDepth) {
                level++;
            } else if (!verify || !found) {
                break;
            } else if (stats.passes >= MAX_PASSES) {
                throw new PgException("0A000", "pgml-sidecar could not collect the arguments of this statement's pgml calls in "
                        + MAX_PASSES + " passes", "Compute the calls in a CTE first and use their results in the rest of the statement.");
            }
        }
    }

    private void runCollectingPass(BackendClient backend, String collectingSql, BoundParameters parameters) {
        stats.passes++;
        backend.prepare("", collectingSql, parameterOids);
        backend.bind("", "", parameters.formats(), parameters.values(), new short[0]);
        backend.execute("", 0, BackendSteps.collect(new ArrayList<>()));
    }

    /** Computes every tuple the last pass recorded; true when there was any. */
    private boolean computeMissing(SessionContext session) {
        boolean any = false;
        BackendClient backend = session.backend();
        for (Map.Entry<ApiFunction, LookupTables> e : tables.entrySet()) {
            ResolvedCall call = calls.stream().filter(c -> c.function() == e.getKey()).findFirst().orElseThrow();
            LookupTables table = e.getValue();
            // a named statement and portal: the functions may run their own queries between chunks
            String name = "pgml_sidecar_staged_" + SEQUENCE.incrementAndGet();
            backend.prepare(name, table.missingQuery(), new int[0]);
            backend.bind(name, name, new short[0], new byte[0][], new short[0]);
            try {
                String tag;
                do {
                    if (session.cancelRequested()) {
                        throw new PgException("57014", "canceling statement due to user request", null);
                    }
                    List<byte[][]> rows = new ArrayList<>();
                    tag = backend.execute(name, io.pgmlsidecar.planner.BatchSizes.stagedRows(), BackendSteps.collect(rows));
                    if (!rows.isEmpty()) {
                        any = true;
                        computeChunk(session, call, table, rows);
                    }
                } while (tag == null);
            } finally {
                backend.close((byte) 'P', name);
                backend.close((byte) 'S', name);
            }
            table.clearMissing(backend);
        }
        return any;
    }

    private void computeChunk(SessionContext session, ResolvedCall call, LookupTables table, List<byte[][]> rows) {
        List<String> keys = new ArrayList<>(rows.size());
        List<String[]> args = new ArrayList<>(rows.size());
        for (byte[][] row : rows) {
            keys.add(new String(row[0], StandardCharsets.UTF_8));
            args.add(TextArrays.parse(new String(row[1], StandardCharsets.UTF_8)).toArray(new String[0]));
        }
        long t0 = System.nanoTime();
        Object[] results = functions.apply(session, call, args);
        stats.modelNanos += System.nanoTime() - t0;
        stats.modelCalls++;
        stats.computed += rows.size();
        stats.stored += rows.size();
        List<String> values = new ArrayList<>(results.length);
        for (Object r : results) {
            values.add(functions.text(r));
        }
        table.store(session.backend(), keys, values);
    }
}
