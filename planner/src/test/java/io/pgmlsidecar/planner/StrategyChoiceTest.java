package io.pgmlsidecar.planner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.planner.strategy.ExplainStaged;
import io.pgmlsidecar.planner.strategy.StagedCalls;
import io.pgmlsidecar.planner.strategy.StrategyStatement;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** SQL in → the strategy that serves it, its rewritten SQL, or the error; no PostgreSQL needed. */
class StrategyChoiceTest {

    private static final String P = "pgml.predict('p', ARRAY[a, b])";
    private final PgmlInterceptor planner = new PgmlInterceptor();

    static Stream<Arguments> statements() {
        return Stream.of(
                Arguments.of("SELECT 1", "relayed"),
                Arguments.of("SELECT 'pgml.predict(1)' -- pgml.predict('x', y)", "relayed"),
                Arguments.of("SELECT * FROM pgml.projects", "relayed"),
                Arguments.of("SELECT pgml.predict('p', ARRAY[1, 2])", "alone"),
                Arguments.of("SELECT id, pgml.predict('p', ARRAY[1, 2]) + a FROM t", "ConstantSplice"),
                Arguments.of("SELECT id, " + P + " FROM t", "SelectListCalls"),
                Arguments.of("SELECT id, " + P + " AS score FROM t WHERE a > 1", "SelectListCalls"),
                Arguments.of("UPDATE t SET s = " + P, "UpdateWithCalls"),
                Arguments.of("INSERT INTO u SELECT id, " + P + " FROM t", "WriteFromSelect"),
                Arguments.of("SELECT id, d.body, c.chunk FROM docs d, LATERAL pgml.chunk('character', d.body) c", "TwoPassSetCalls"),
                Arguments.of("WITH q AS (SELECT pgml.embed('m', 'question') AS e) SELECT c.chunk FROM q, docs d, "
                        + "LATERAL pgml.chunk('character', d.body) c", "ConstantsFirst"),
                Arguments.of("SELECT c.chunk, pgml.embed('m', c.chunk) FROM docs d, LATERAL pgml.chunk('character', d.body) c",
                        "TwoPassSetCalls"),
                Arguments.of("INSERT INTO e (chunk, embedding) SELECT c.chunk, pgml.embed('m', c.chunk) FROM docs d, "
                        + "LATERAL pgml.chunk('character', d.body) c", "TwoPassSetCalls"),
                Arguments.of("SELECT c.chunk FROM docs d, LATERAL pgml.chunk('character', d.body) c "
                        + "WHERE pgml.embed('m', c.chunk) IS NOT NULL", "0A000"),
                Arguments.of("SELECT c.chunk FROM docs d, LATERAL pgml.chunk('character', d.body) c WHERE d.id = $1 "
                        + "AND pgml.embed('m', $2) IS NOT NULL", "0A000"),
                // the general strategy: calls anywhere
                Arguments.of("SELECT *, " + P + " AS s FROM t ORDER BY s LIMIT 25", "StagedCalls"),
                Arguments.of("SELECT id FROM t ORDER BY " + P + " DESC LIMIT 25", "StagedCalls"),
                Arguments.of("SELECT id FROM t WHERE " + P + " > 0.5", "StagedCalls"),
                Arguments.of("SELECT id, " + P + "::int FROM t", "StagedCalls"),
                Arguments.of("SELECT g, count(*) FROM t GROUP BY g HAVING avg(" + P + ") > 1", "StagedCalls"),
                Arguments.of("SELECT x.id FROM t x JOIN u ON " + P.replace("a, b", "x.a, u.b") + " > u.c", "StagedCalls"),
                Arguments.of("SELECT CASE WHEN " + P + " > 1 THEN 'y' END FROM t", "StagedCalls"),
                Arguments.of("SELECT pgml.predict('p', ARRAY[pgml.predict('q', ARRAY[a]), b]) FROM t", "StagedCalls"),
                Arguments.of("SELECT DISTINCT " + P + " FROM t", "StagedCalls"),
                Arguments.of("DELETE FROM t WHERE " + P + " < 0", "StagedCalls"),
                Arguments.of("UPDATE t SET flag = true WHERE " + P + " > 1", "StagedCalls"),
                Arguments.of("DECLARE c CURSOR WITH HOLD FOR SELECT id FROM t WHERE " + P + " > 1", "StagedCalls"),
                Arguments.of("EXPLAIN ANALYZE SELECT id FROM t WHERE " + P + " > 1", "ExplainStaged"),
                // definitions: PostgreSQL keeps the expression and evaluates it later, through the stubs
                Arguments.of("CREATE VIEW v AS SELECT " + P + " FROM t", "relayed"),
                Arguments.of("CREATE OR REPLACE TEMP VIEW v AS SELECT " + P + " FROM t", "relayed"),
                Arguments.of("CREATE MATERIALIZED VIEW v AS SELECT " + P + " FROM t WITH NO DATA", "relayed"),
                Arguments.of("CREATE TABLE docs (body text, embedding real[] GENERATED ALWAYS AS "
                        + "(pgml.embed('intfloat/e5-small-v2', body)) STORED)", "relayed"),
                Arguments.of("CREATE TABLE d (a real, b real, s real DEFAULT pgml.predict('p', ARRAY[1, 2]))", "relayed"),
                Arguments.of("CREATE FUNCTION f(a real, b real) RETURNS real RETURN " + P, "relayed"),
                Arguments.of("CREATE INDEX ON t ((" + P + "))", "relayed"),
                Arguments.of("CREATE TABLE u AS SELECT id, " + P + " FROM t", "WriteFromSelect"),
                Arguments.of("CREATE TABLE u (id, s) AS SELECT id, " + P + " FROM t", "WriteFromSelect"),
                // table functions as FROM items of a larger query: run once, their rows spliced in
                Arguments.of("SELECT project, deployed FROM pgml.train('p', 'regression', 't', 'y')", "TableRowsSpliced"),
                Arguments.of("SELECT x.rows FROM pgml.load_dataset('iris') x JOIN pg_class ON relname = 'iris'", "TableRowsSpliced"),
                // refused with a hint
                Arguments.of("PREPARE transaction_check(text) AS SELECT id FROM t WHERE " + P + " > $1::real", "PrepareStrategy"),
                Arguments.of("PREPARE e AS SELECT pgml.embed('m', $1); ", "PrepareStrategy"),
                Arguments.of("PREPARE e(text) AS SELECT pgml.embed('m', $1); SELECT pgml.embed('m', 'x')", "MultiStatementQuery"),
                Arguments.of("WITH w AS (DELETE FROM t RETURNING a, b) SELECT " + P + " FROM w", "SelectListCalls"),
                Arguments.of("WITH w AS (DELETE FROM t RETURNING a, b) SELECT a FROM w WHERE " + P + " > 1", "0A000"),
                Arguments.of("UPDATE t SET a = 1 RETURNING " + P, "0A000"),
                Arguments.of("SELECT id FROM t WHERE pgml.train('p', 'regression', 't', 'y') IS NULL", "0A000"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("statements")
    void picksTheStrategy(String sql, String expected) {
        assertEquals(expected, chosen(sql), sql);
    }

    private String chosen(String sql) {
        InterceptedStatement plan;
        try {
            plan = planner.plan(sql, null);
        } catch (PgException e) {
            assertTrue(e.error().hint() != null && !e.error().hint().isBlank(), "a refusal carries a hint: " + e.getMessage());
            return e.error().sqlState();
        }
        if (plan == null) {
            return "relayed";
        }
        return plan instanceof StrategyStatement s ? s.strategy().getClass().getSimpleName()
                .replace("CallAlone", "alone").replace("TableCall", "alone")
                : plan.getClass().getSimpleName().equals("MultiStatementQuery") ? "MultiStatementQuery" : "alone";
    }

    @Test
    void generalStrategyRewritesEachCallIntoALookupNamedAfterTheFunction() {
        String sql = "SELECT id, " + P + "::int AS k FROM t WHERE " + P + " > $1 ORDER BY 2";
        StagedCalls staged = (StagedCalls) ((StrategyStatement) planner.plan(sql, null)).strategy();
        String lookup = "(SELECT pgml_sidecar_r.v AS predict FROM pg_temp.pgml_sidecar_pgml_predict_h_values pgml_sidecar_r "
                + "WHERE pgml_sidecar_r.h = md5((ARRAY[('p')::text, (ARRAY[a, b])::text]::text[])::text)::uuid "
                + "UNION ALL SELECT pg_temp.predict(ARRAY[('p')::text, (ARRAY[a, b])::text]::text[], 0) LIMIT 1)";
        assertEquals("SELECT id, " + lookup + "::int AS k FROM t WHERE " + lookup + " > $1 ORDER BY 2", staged.servingSql());
        // where a sub-select would not match its grouping expression, the function answers
        String grouped = "SELECT g FROM t GROUP BY g HAVING avg(" + P + ") > 1";
        assertEquals("SELECT g FROM t GROUP BY g HAVING avg(pg_temp.predict(ARRAY[('p')::text, (ARRAY[a, b])::text]::text[], 0)) > 1",
                ((StagedCalls) ((StrategyStatement) planner.plan(grouped, null)).strategy()).servingSql());
        assertEquals("SELECT", staged.kind());
        assertTrue(staged.verifies(), "a call in WHERE decides which rows reach the other call: collect until nothing is new");
    }

    @Test
    void nestedCallsCollectInnermostFirst() {
        String sql = "SELECT pgml.predict('p', ARRAY[pgml.predict('q', ARRAY[a]), b]) FROM t";
        StagedCalls staged = (StagedCalls) ((StrategyStatement) planner.plan(sql, null)).strategy();
        assertEquals(2, staged.maxDepth());
        assertEquals("SELECT pg_temp.predict(ARRAY[('p')::text, (ARRAY[pg_temp.predict(ARRAY[('q')::text, (ARRAY[a])::text]::text[], 0), b])"
                + "::text]::text[], 0) FROM t", staged.servingSql());
    }

    @Test
    void aLoneCallInSelectListOrOrderNeedsOneCollectingPass() {
        StagedCalls staged = (StagedCalls) ((StrategyStatement) planner.plan("SELECT id FROM t ORDER BY " + P + " DESC LIMIT 25", null)).strategy();
        assertEquals(1, staged.maxDepth());
        assertTrue(!staged.verifies());
        StagedCalls isNull = (StagedCalls) ((StrategyStatement) planner.plan("SELECT id FROM t WHERE " + P + " IS NULL LIMIT 3", null)).strategy();
        assertTrue(isNull.verifies(), "a NULL that passes the filter can end the LIMIT early in the collecting pass");
    }

    @Test
    void refusalsPointAtTheCall() {
        PgException e = assertThrows(PgException.class, () -> planner.plan("UPDATE t SET a = 1 RETURNING " + P, null));
        assertEquals("UPDATE t SET a = 1 RETURNING ".length() + 1, e.error().position());
        assertNull(planner.plan("DROP FUNCTION IF EXISTS pgml.predict(text, real[])", null));
    }

    @Test
    void explainIsPlannedOnTheStatementItExplains() {
        assertTrue(((StrategyStatement) planner.plan("EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM t WHERE " + P + " > 1", null))
                .strategy() instanceof ExplainStaged);
    }
}
