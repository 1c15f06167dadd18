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

    @Test
    void servingProbesTheCallsTableByTheArgumentsHashes() {
        String sql = "SELECT id FROM t WHERE " + P + " > 3.5";
        StagedCalls staged = (StagedCalls) ((StrategyStatement) planner.plan(sql, null)).strategy();
        CallFunctions functions = new CallFunctions().add(staged.calls().get(0).function(), PgTypes.FLOAT4, (s, rows) -> new Object[0]);
        DirectStaging direct = new DirectStaging(sql, staged.calls(), DirectCollect.plan(sql, SqlLexer.tokenize(sql), staged.calls()),
                functions);
        String text = "(('p')::text COLLATE \"C\", (ARRAY[a, b])::text COLLATE \"C\")";
        assertEquals("SELECT id FROM t WHERE (SELECT pgml_sidecar_r.v AS predict FROM pg_temp.pgml_sidecar_pgml_predict_d0 pgml_sidecar_r "
                + "WHERE pgml_sidecar_r.h = hash_record_extended(ROW" + text + ", 0) AND pgml_sidecar_r.h2 = hash_record_extended(ROW"
                + text + ", 1) UNION ALL SELECT pg_temp.pgml_sidecar_no_result(NULL::real, 'pgml.predict') LIMIT 1) > 3.5",
                direct.servingSql());
        assertFalse(staged.collectsDirectly(), "the session decides (the name must be a table) when the statement is described");
        assertNull(DirectCollect.plan("SELECT 1", SqlLexer.tokenize("SELECT 1"), staged.calls()));
    }
}
