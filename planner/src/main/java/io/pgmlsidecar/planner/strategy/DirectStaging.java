package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ArgumentExpression;
import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The general strategy's fast path (decision 24) for a SELECT whose calls read one table's
 * columns: each distinct call is collected with {@link DirectCollect}'s query streamed through a
 * portal in chunks, the model runs per chunk, the results go into a {@link DirectLookup} table,
 * and the serving statement probes its hash index. One collecting pass, no per-row function.
 */
final class DirectStaging {

    /** Kinds of relation whose rows are exactly what the statement reads (a view's body could join). */
    private static final Set<String> TABLE_KINDS = Set.of("r", "p", "m", "f");
    private static final AtomicLong SEQUENCE = new AtomicLong();

    /**
     * The calls with the same function and argument text share one table; {@code conditions}: the
     * pushed WHERE conjuncts over them (decision 33), which decide what the table keeps.
     */
    private record Group(ResolvedCall call, List<String> arguments, DirectLookup lookup, List<CollectPushdown.Condition> conditions) {}

    private final String sql;
    private final List<ResolvedCall> calls;
    private final DirectCollect collect;
    private final CallFunctions functions;
    private final Map<String, Group> groups = new LinkedHashMap<>();
    /** ORDER BY a call … LIMIT n decided while computing (decision 33); null: none, or a result type not ranked here. */
    private final CollectPushdown.TopRows topRows;

    DirectStaging(String sql, List<ResolvedCall> calls, DirectCollect collect, CallFunctions functions) {
        this.sql = sql;
        this.calls = calls;
        this.collect = collect;
        this.functions = functions;
        for (ResolvedCall c : calls) {
            List<String> args = c.arguments().stream().map(ArgumentExpression::sql).toList();
            String key = groupKey(c);
            groups.computeIfAbsent(key, k -> new Group(c, args,
                    new DirectLookup(c.function(), functions.sqlType(c), args.size(), groups.size()),
                    collect.conditions().stream().filter(p -> groupKey(p.sites().get(0)).equals(k)).toList()));
        }
        CollectPushdown.TopRows top = collect.topRows();
        this.topRows = top != null && TopCandidates.ranks(functions.sqlType(top.key())) ? top : null;
    }

    /** Calls with the same function and argument text are one computation. */
    static String groupKey(ResolvedCall c) {
        return c.function().qualifiedName() + "\u0000" + String.join("\u0000", c.arguments().stream().map(ArgumentExpression::sql).toList());
    }

    /** What the computing step decides for the statement (decision 33), for EXPLAIN; null: nothing. */
    String pushdown() {
        List<String> parts = new ArrayList<>();
        for (Group g : groups.values()) {
            if (!g.conditions().isEmpty()) {
                parts.add("keeps the results of " + g.call().function().qualifiedName() + " that pass "
                        + String.join(" AND ", g.conditions().stream().map(c -> sql.substring(c.start(), c.end())).toList()));
            }
        }
        if (topRows != null) {
            parts.add("keeps the first " + topRows.rows() + " results of " + topRows.key().function().qualifiedName() + " in ORDER BY "
                    + (topRows.descending() ? "DESC" : "ASC") + (topRows.nullsFirst() ? " NULLS FIRST" : " NULLS LAST") + " (with ties)");
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    /**
     * Whether the FROM name is a table on this session (its search_path), not a view or something
     * else, and the server has {@code hash_record_extended} (PostgreSQL 14).
     */
    boolean applies(BackendClient backend) {
        String[] r = BackendSteps.query(backend, "SELECT (SELECT c.relkind::text FROM pg_catalog.pg_class c WHERE c.oid = to_regclass($1)), "
                + "current_setting('server_version_num')::int >= 140000", collect.tableName()).get(0);
        return r[0] != null && TABLE_KINDS.contains(r[0]) && "t".equals(r[1]);
    }

    /** Learns the arguments' types (a Describe of the arguments over the table), which decide how each is hashed. */
    void type(BackendClient backend, int[] parameterOids) {
        for (Group g : groups.values()) {
            List<Column> columns = backend.prepare("", DirectLookup.typingSql(collect, g.arguments()),
                    typingParameters(parameterOids, g.call())).columns();
            int[] oids = new int[columns.size()];
            for (int i = 0; i < oids.length; i++) {
                oids[i] = columns.get(i).typeOid();
            }
            g.lookup().type(oids);
        }
    }

    /** Parameters the typing query does not mention get a type (text), or PostgreSQL could not determine it. */
    private static int[] typingParameters(int[] parameterOids, ResolvedCall call) {
        int[] out = parameterOids.clone();
        Set<Integer> used = new java.util.HashSet<>();
        for (ArgumentExpression a : call.arguments()) {
            for (var t : a.tokens()) {
                if (t.kind() == io.pgmlsidecar.planner.scan.Token.Kind.PARAMETER) {
                    used.add(Integer.parseInt(t.text().substring(1)));
                }
            }
        }
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !used.contains(i + 1)) {
                out[i] = io.pgmlsidecar.planner.values.PgTypes.TEXT;
            }
        }
        return out;
    }

    void prepare(BackendClient backend, boolean empty) {
        for (Group g : groups.values()) {
            g.lookup().prepare(backend, empty);
        }
    }

    /**
     * The statement with every call answered from its table (decision 33 for what the computing
     * step decided). A pushed conjunct becomes a test that its tuple was kept — the table holds
     * exactly the tuples it is true for — so PostgreSQL joins with the kept tuples instead of
     * probing once per row. Another call of such a group in WHERE answers NULL for a tuple not
     * kept: the pushed conjunct then removes the row whatever the rest of WHERE says. With a
     * top-rows pushdown, WHERE also keeps only rows whose tuple was kept.
     */
    String servingSql() {
        List<Splice.Edit> edits = new ArrayList<>();
        java.util.Set<ResolvedCall> replacedWithConjunct = new java.util.HashSet<>();
        for (Group g : groups.values()) {
            for (CollectPushdown.Condition c : g.conditions()) {
                edits.add(new Splice.Edit(c.start(), c.end(), g.lookup().kept(g.arguments())));
                replacedWithConjunct.addAll(c.sites());
            }
        }
        for (ResolvedCall c : calls) {
            if (replacedWithConjunct.contains(c)) {
                continue;
            }
            Group g = group(c);
            boolean absentIsNull = !g.conditions().isEmpty() && collect.whereCalls().contains(c);
            edits.add(new Splice.Edit(c.site().start(), c.site().end(), g.lookup().serving(g.arguments(), absentIsNull)));
        }
        if (topRows != null) {
            Group g = group(topRows.key());
            String kept = g.lookup().kept(g.arguments());
            if (topRows.whereStart() < 0) {
                edits.add(new Splice.Edit(topRows.fromEnd(), topRows.fromEnd(), " WHERE " + kept));
            } else {
                edits.add(new Splice.Edit(topRows.whereStart(), topRows.whereStart(), "("));
                edits.add(new Splice.Edit(topRows.whereEnd(), topRows.whereEnd(), ") AND " + kept));
            }
        }
        return Splice.apply(sql, edits);
    }

    /** The collecting query of one call. */
    String collectingSql(ResolvedCall c) {
        return group(c).lookup().collectingSql(collect, group(c).arguments());
    }

    private Group group(ResolvedCall c) {
        return groups.get(groupKey(c));
    }

    /** Collects, computes and stores every call's results; then indexes the tables. */
    void collectAndCompute(SessionContext session, int[] parameterOids, BoundParameters parameters, StagedCalls.Stats stats) {
        BackendClient backend = session.backend();
        prepare(backend, true);
        for (Group g : groups.values()) {
            stats.passes++;
            // a named statement and portal: the functions may run their own queries between chunks
            String name = "pgml_sidecar_direct_" + SEQUENCE.incrementAndGet();
            backend.prepare(name, collectingSql(g.call()), parameterOids);
            backend.bind(name, name, parameters.formats(), parameters.values(), new short[0]);
            TopCandidates top = topRows != null && group(topRows.key()) == g
                    ? new TopCandidates(topRows.rows(), topRows.descending(), topRows.nullsFirst(), g.lookup().sqlType()) : null;
            try {
                String tag;
                do {
                    if (session.cancelRequested()) {
                        throw new PgException("57014", "canceling statement due to user request", null);
                    }
                    List<byte[][]> rows = new ArrayList<>();
                    tag = backend.execute(name, io.pgmlsidecar.planner.BatchSizes.stagedRows(), BackendSteps.collect(rows));
                    if (!rows.isEmpty()) {
                        computeChunk(session, g, rows, stats, top);
                    }
                } while (tag == null);
            } finally {
                backend.close((byte) 'P', name);
                backend.close((byte) 'S', name);
            }
            if (top != null) {
                storeWinners(backend, g, top.winners(), stats);
            }
            g.lookup().index(backend);
        }
    }

    private static void storeWinners(BackendClient backend, Group g, List<TopCandidates.Candidate> winners, StagedCalls.Stats stats) {
        int chunk = 10_000;
        for (int from = 0; from < winners.size(); from += chunk) {
            List<TopCandidates.Candidate> part = winners.subList(from, Math.min(winners.size(), from + chunk));
            g.lookup().store(backend, part.stream().map(TopCandidates.Candidate::hash).toList(),
                    part.stream().map(TopCandidates.Candidate::hash2).toList(), part.stream().map(TopCandidates.Candidate::text).toList());
        }
        stats.stored += winners.size();
    }

    /** The pushed conjuncts of the group over a stored result {@code u.v}, or null when it has none. */
    private String condition(Group g) {
        if (g.conditions().isEmpty()) {
            return null;
        }
        return String.join(" AND ", g.conditions().stream().map(c -> "(" + c.over(sql, "u.v") + ")").toList());
    }

    private void computeChunk(SessionContext session, Group g, List<byte[][]> rows, StagedCalls.Stats stats, TopCandidates top) {
        List<String> hashes = new ArrayList<>(rows.size());
        List<String> hashes2 = new ArrayList<>(rows.size());
        List<String[]> tuples = new ArrayList<>(rows.size());
        for (byte[][] row : rows) {
            hashes.add(new String(row[0], StandardCharsets.US_ASCII));
            hashes2.add(new String(row[1], StandardCharsets.US_ASCII));
            String[] t = new String[row.length - 2];
            for (int i = 0; i < t.length; i++) {
                t[i] = row[i + 2] == null ? null : new String(row[i + 2], StandardCharsets.UTF_8);
            }
            tuples.add(t);
        }
        long t0 = System.nanoTime();
        Object[] results = functions.apply(session, g.call(), tuples);
        stats.modelNanos += System.nanoTime() - t0;
        stats.modelCalls++;
        stats.computed += rows.size();
        List<String> values = new ArrayList<>(results.length);
        for (Object r : results) {
            values.add(functions.text(r));
        }
        if (top != null) {
            for (int i = 0; i < values.size(); i++) {
                top.add(hashes.get(i), hashes2.get(i), values.get(i));
            }
            return;
        }
        String condition = condition(g);
        if (condition == null) {
            g.lookup().store(session.backend(), hashes, hashes2, values);
            stats.stored += values.size();
            return;
        }
        // only the results' values travel for the test; the few that pass are stored with their keys
        List<Integer> passing = g.lookup().passing(session.backend(), values, condition);
        if (!passing.isEmpty()) {
            g.lookup().store(session.backend(), passing.stream().map(hashes::get).toList(), passing.stream().map(hashes2::get).toList(),
                    passing.stream().map(values::get).toList());
        }
        stats.stored += passing.size();
    }
}
