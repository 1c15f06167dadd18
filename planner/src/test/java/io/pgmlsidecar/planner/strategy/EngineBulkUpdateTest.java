package io.pgmlsidecar.planner.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pgmlsidecar.planner.functions.ArgumentExpression;
import io.pgmlsidecar.planner.scan.SqlLexer;
import org.junit.jupiter.api.Test;

/** The one text of {@code inputs => ARRAY[text]} an engine classifies per row, and the forms it does not take. */
class EngineBulkUpdateTest {

    private static String element(String inputs) {
        ArgumentExpression a = new ArgumentExpression(inputs, SqlLexer.tokenize(inputs));
        ArgumentExpression e = EngineBulkUpdate.onlyElement(a, inputs);
        return e == null ? null : e.sql();
    }

    @Test
    void theOneElementOfAnArrayConstructor() {
        assertEquals("body", element("ARRAY[body]"));
        assertEquals("lower(r.title || ' ' || r.body)", element("array[lower(r.title || ' ' || r.body)]"));
        assertEquals("tags[1]", element("ARRAY[tags[1]]"));
        assertEquals("coalesce(a, b)", element("ARRAY[ coalesce(a, b) ]"));
    }

    @Test
    void otherArrayExpressionsAreNotIt() {
        assertNull(element("ARRAY[body, 'x']"), "two inputs per row");
        assertNull(element("ARRAY[body]::text[]"), "a cast after the constructor");
        assertNull(element("ARRAY[body] || ARRAY['x']"));
        assertNull(element("bodies"), "an array column");
        assertNull(element("ARRAY[]::text[]"), "the default, no input");
        assertNull(element("string_to_array(body, ',')"));
    }
}
