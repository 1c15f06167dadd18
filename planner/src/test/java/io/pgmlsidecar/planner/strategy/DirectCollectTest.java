package io.pgmlsidecar.planner.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pgmlsidecar.planner.PgmlInterceptor;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.scan.SqlLexer;
import io.pgmlsidecar.planner.values.PgTypes;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which statements the general strategy may collect with one SELECT DISTINCT over their table, and the query it runs. */
class DirectCollectTest {

    private static final String P = "pgml.predict('p', ARRAY[a, b])";
    /** Before the types are known (no session here) every argument is hashed as its text form. */
    private static final String COLLECT = "SELECT hash_record_extended(ROW(d.c0, d.c1), 0), hash_record_extended(ROW(d.c0, d.c1), 1), "
            + "d.c0::text, d.c1::text FROM (SELECT DISTINCT ('p')::text COLLATE \"C\" AS c0, (ARRAY[a, b])::text COLLATE \"C\" AS c1 FROM ";
    private final PgmlInterceptor planner = new PgmlInterceptor();

    static Stream<Arguments> statements() {
        return Stream.of(
                Arguments.of("SELECT id FROM t ORDER BY " + P + " DESC LIMIT 25", "t"),
                Arguments.of("SELECT id FROM t WHERE " + P + " > 3.5", "t"),
                Arguments.of("SELECT *, " + P + " AS s FROM public.t AS x WHERE x.g = $1 ORDER BY s LIMIT 25",
                        "public.t AS x WHERE (x.g = $1)"),
                // conjuncts with calls are left out (a superset); BETWEEN's AND is not a conjunct boundary
                Arguments.of("SELECT id FROM t WHERE a BETWEEN 1 AND 2 AND " + P + " > 1 AND b IS NOT NULL LIMIT 3",
                        "t WHERE (a BETWEEN 1 AND 2) AND (b IS NOT NULL)"),
                // with a top-level OR the whole condition is one conjunct: it holds the call, so nothing is kept
                Arguments.of("SELECT id FROM t WHERE a = 1 AND " + P + " > 1 OR b = 2", "t"),
                Arguments.of("SELECT id FROM t WHERE (a = 1 OR b = 2) AND CASE WHEN a > 0 AND b > 0 THEN true END AND "
                        + P + " > 0", "t WHERE ((a = 1 OR b = 2)) AND (CASE WHEN a > 0 AND b > 0 THEN true END)"),
                Arguments.of("SELECT id, " + P + "::int FROM t", "t"),
                // a subquery may become a join above the scan where the call is evaluated: not kept
                Arguments.of("SELECT id FROM t WHERE id IN (SELECT id FROM u) AND a > 0 AND " + P + " > 1", "t WHERE (a > 0)"),
                // shapes where PostgreSQL may evaluate a call on rows the query would not yield: the collecting statement itself
                Arguments.of("SELECT x.id FROM t x JOIN u ON " + P.replace("a, b", "x.a, u.b") + " > u.c", null),
                Arguments.of("SELECT id FROM t, u WHERE " + P + " > 1", null),
                Arguments.of("SELECT g FROM t GROUP BY g HAVING avg(" + P + ") > 1", null),
                Arguments.of("SELECT DISTINCT " + P + " FROM t", null),
                Arguments.of("SELECT id FROM t WHERE id IN (SELECT id FROM u WHERE " + P + " > 1)", null),
                Arguments.of("SELECT pgml.predict('p', ARRAY[pgml.predict('q', ARRAY[a]), b]) FROM t ORDER BY 1", null),
                Arguments.of("SELECT id FROM t ORDER BY pgml.predict('p', ARRAY[(SELECT max(a) FROM u), b])", null),
                Arguments.of("SELECT pgml.predict('p', ARRAY[max(a), max(b)]) FROM t WHERE " + P + " > 1", null),
                Arguments.of("SELECT id FROM ONLY t WHERE " + P + " > 1", null),
                Arguments.of("SELECT id FROM generate_series(1, 3) t(a) WHERE " + P + " > 1", null),
                Arguments.of("WITH v AS (SELECT * FROM t) SELECT id FROM v WHERE " + P + " > 1", null),
                Arguments.of("DELETE FROM t WHERE " + P + " < 0", null));
    }

    @ParameterizedTest
    @MethodSource("statements")
    void collectingQuery(String sql, String expected) {
        StagedCalls staged = (StagedCalls) ((StrategyStatement) planner.plan(sql, null)).strategy();
        assertEquals(expected != null, staged.directCandidate(), sql);
        if (expected != null) {
            assertEquals(COLLECT + expected + ") d", staged.directCollectingSql());
        }
    }

    private DirectStaging direct(String sql) {
        StagedCalls staged = (StagedCalls) ((StrategyStatement) planner.plan(sql, null)).strategy();
        CallFunctions functions = new CallFunctions();
        for (var c : staged.calls()) {
            functions.add(c.function(), PgTypes.FLOAT4, (s, rows) -> new Object[0]);
        }
        return new DirectStaging(sql, staged.calls(), DirectCollect.plan(sql, SqlLexer.tokenize(sql), staged.calls()), functions);
    }

    static Stream<Arguments> pushdowns() {
        String q = "pgml.predict('q', ARRAY[a])";
        return Stream.of(
                Arguments.of("SELECT id FROM t WHERE " + P + " > 3.5", "keeps the results of pgml.predict that pass " + P + " > 3.5"),
                Arguments.of("SELECT id, " + P + " FROM t WHERE a = 1 AND " + P + " BETWEEN -1 AND 2.5::real AND (" + P + ") IN (1, 2)",
                        "keeps the results of pgml.predict that pass " + P + " BETWEEN -1 AND 2.5::real AND (" + P + ") IN (1, 2)"),
                Arguments.of("SELECT id FROM t WHERE NOT " + P + " <> 0", "keeps the results of pgml.predict that pass NOT " + P + " <> 0"),
                // a column, a parameter, IS, OR, CASE or a function could make a NULL result pass: not pushed
                Arguments.of("SELECT id FROM t WHERE " + P + " > a", null),
                Arguments.of("SELECT id FROM t WHERE " + P + " > $1", null),
                Arguments.of("SELECT id FROM t WHERE " + P + " IS NULL", null),
                Arguments.of("SELECT id FROM t WHERE " + P + " > 1 OR " + P + " < 0", null),
                Arguments.of("SELECT id FROM t WHERE coalesce(" + P + ", 1) > 0", null),
                Arguments.of("SELECT id FROM t WHERE CASE WHEN " + P + " > 1 THEN true END", null),
                Arguments.of("SELECT id FROM t WHERE " + P + " > " + q, null),
                Arguments.of("SELECT id FROM t ORDER BY " + P + " DESC LIMIT 25",
                        "keeps the first 25 results of pgml.predict in ORDER BY DESC NULLS FIRST (with ties)"),
                Arguments.of("SELECT *, " + P + " AS buying_score FROM t WHERE g = 5 ORDER BY buying_score LIMIT 25 OFFSET 5",
                        "keeps the first 30 results of pgml.predict in ORDER BY ASC NULLS LAST (with ties)"),
                Arguments.of("SELECT id FROM t ORDER BY " + P + " DESC NULLS LAST, id LIMIT 2",
                        "keeps the first 2 results of pgml.predict in ORDER BY DESC NULLS LAST (with ties)"),
                // no LIMIT, a limit from a parameter, a call in WHERE, a function that could drop rows, another call among the keys
                Arguments.of("SELECT id FROM t ORDER BY " + P + " DESC", null),
                Arguments.of("SELECT id FROM t ORDER BY " + P + " DESC LIMIT $1", null),
                Arguments.of("SELECT id FROM t WHERE " + q + " > 0 ORDER BY " + P + " DESC LIMIT 5",
                        "keeps the results of pgml.predict that pass " + q + " > 0"),
                Arguments.of("SELECT id, generate_series(1, a) FROM t ORDER BY " + P + " DESC LIMIT 5", null),
                Arguments.of("SELECT id FROM t ORDER BY " + P + ", " + q + " LIMIT 5", null),
                Arguments.of("SELECT id FROM t WHERE id IN (SELECT id FROM u) ORDER BY " + P + " LIMIT 5", null),
                Arguments.of("SELECT id FROM t ORDER BY " + P + " LIMIT 100000", null));
    }

    @ParameterizedTest
    @MethodSource("pushdowns")
    void decidedWhileComputing(String sql, String expected) {
        assertEquals(expected, direct(sql).pushdown(), sql);
    }

    @Test
    void servingProbesTheCallsTableByTheArgumentsHashes() {
        String sql = "SELECT id FROM t WHERE " + P + " > 3.5";
        StagedCalls staged = (StagedCalls) ((StrategyStatement) planner.plan(sql, null)).strategy();
        CallFunctions functions = new CallFunctions().add(staged.calls().get(0).function(), PgTypes.FLOAT4, (s, rows) -> new Object[0]);
        DirectStaging direct = new DirectStaging(sql, staged.calls(), DirectCollect.plan(sql, SqlLexer.tokenize(sql), staged.calls()),
                functions);
        String text = "(('p')::text COLLATE \"C\", (ARRAY[a, b])::text COLLATE \"C\")";
        String exists = "EXISTS (SELECT FROM pg_temp.pgml_sidecar_pgml_predict_d0 pgml_sidecar_k WHERE pgml_sidecar_k.h = "
                + "hash_record_extended(ROW" + text + ", 0) AND pgml_sidecar_k.h2 = hash_record_extended(ROW" + text + ", 1))";
        assertEquals("SELECT id FROM t WHERE " + exists, direct.servingSql(),
                "the table keeps exactly the tuples with a result > 3.5: the conjunct becomes a semi-join with it");
        String both = "SELECT id, " + P + " FROM t WHERE a > 0 AND " + P + " > 3.5 AND " + P + " * 2 < a";
        assertEquals("SELECT id, (SELECT pgml_sidecar_r.v AS predict FROM pg_temp.pgml_sidecar_pgml_predict_d0 pgml_sidecar_r "
                + "WHERE pgml_sidecar_r.h = hash_record_extended(ROW" + text + ", 0) AND pgml_sidecar_r.h2 = hash_record_extended(ROW"
                + text + ", 1) UNION ALL SELECT pg_temp.pgml_sidecar_no_result(NULL::real, 'pgml.predict') LIMIT 1) FROM t WHERE a > 0 AND "
                + exists + " AND (SELECT pgml_sidecar_r.v AS predict FROM pg_temp.pgml_sidecar_pgml_predict_d0 pgml_sidecar_r "
                + "WHERE pgml_sidecar_r.h = hash_record_extended(ROW" + text + ", 0) AND pgml_sidecar_r.h2 = hash_record_extended(ROW"
                + text + ", 1) LIMIT 1) * 2 < a", direct(both).servingSql(),
                "in WHERE a tuple not kept answers NULL (its row is gone anyway); in the select list only kept tuples arrive");
        String ordered = "SELECT id, " + P + " AS s FROM t ORDER BY s DESC LIMIT 25";
        DirectStaging top = direct(ordered);
        assertEquals("SELECT id, (SELECT pgml_sidecar_r.v AS predict FROM pg_temp.pgml_sidecar_pgml_predict_d0 pgml_sidecar_r "
                + "WHERE pgml_sidecar_r.h = hash_record_extended(ROW" + text + ", 0) AND pgml_sidecar_r.h2 = hash_record_extended(ROW"
                + text + ", 1) UNION ALL SELECT pg_temp.pgml_sidecar_no_result(NULL::real, 'pgml.predict') LIMIT 1) AS s FROM t"
                + " WHERE EXISTS (SELECT FROM pg_temp.pgml_sidecar_pgml_predict_d0 pgml_sidecar_k WHERE pgml_sidecar_k.h = "
                + "hash_record_extended(ROW" + text + ", 0) AND pgml_sidecar_k.h2 = hash_record_extended(ROW" + text + ", 1))"
                + " ORDER BY s DESC LIMIT 25", top.servingSql());
        assertEquals("SELECT id FROM t WHERE (a > 1 OR b < 2) AND EXISTS",
                direct("SELECT id FROM t WHERE a > 1 OR b < 2 ORDER BY " + P + " LIMIT 3").servingSql().replaceAll("EXISTS .*", "EXISTS")
                        .replaceAll("ORDER BY.*", "").trim());
        assertFalse(staged.collectsDirectly(), "the session decides (the name must be a table) when the statement is described");
        assertNull(DirectCollect.plan("SELECT 1", SqlLexer.tokenize("SELECT 1"), staged.calls()));
    }
}
