package io.pgmlsidecar.planner.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pgmlsidecar.planner.scan.SqlLexer;
import org.junit.jupiter.api.Test;

class ArgumentEvaluatorTest {

    private static String array(String sql) {
        return ArgumentEvaluator.numberArray(SqlLexer.tokenize(sql));
    }

    @Test
    void numberArraysAreReadLocally() {
        assertEquals("{5.1,3.5,-1.4,0.2}", array("ARRAY[5.1, 3.5, -1.4, 0.2]"));
        assertEquals("{1,2e-3}", array("ARRAY[1, 2e-3]::real[]"));
        assertEquals("{1,2}", array("array[1,2]::double precision[]"));
    }

    @Test
    void anythingElseGoesToPostgres() {
        assertNull(array("ARRAY[a, b]"));
        assertNull(array("ARRAY[1, 2]::text[]"));
        assertNull(array("ARRAY[1, 2] || ARRAY[3]"));
        assertNull(array("ARRAY[1 + 2]"));
        assertNull(array("'{1,2}'"));
    }

    @Test
    void literalsAndParameters() {
        BoundParameters p = BoundParameters.of(new int[] {25}, new short[0], new byte[][] {"hello".getBytes()});
        assertEquals("it's", ArgumentEvaluator.localValue(expr("'it''s'"), p).text());
        assertEquals("hello", ArgumentEvaluator.localValue(expr("$1::text"), p).text());
        assertNull(ArgumentEvaluator.localValue(expr("NULL"), p).text());
        assertNull(ArgumentEvaluator.localValue(expr("lower('X')"), p));
    }

    private static ArgumentExpression expr(String sql) {
        return new ArgumentExpression(sql, SqlLexer.tokenize(sql));
    }
}
