package io.pgmlsidecar.planner.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallFinderTest {

    private static List<CallSite> calls(String sql) {
        return CallFinder.find(sql, SqlLexer.tokenize(sql), Set.of("pgml"));
    }

    @Test
    void findsCallWithPositionalNamedCastAndArrayArguments() {
        String sql = "SELECT id, pgml.embed('intfloat/e5-small-v2', body, kwargs => '{\"a\":1}'::jsonb) AS e, "
                + "pgml.transform(task => 'x', inputs => ARRAY['a,b', 'c']) FROM docs WHERE x->>'k' = 'v'";
        List<CallSite> found = calls(sql);
        assertEquals(2, found.size());
        CallSite embed = found.get(0);
        assertEquals("pgml.embed", embed.qualifiedName());
        assertEquals(3, embed.arguments().size());
        assertEquals("'intfloat/e5-small-v2'", sql.substring(embed.arguments().get(0).start(), embed.arguments().get(0).end()));
        assertEquals("body", sql.substring(embed.arguments().get(1).start(), embed.arguments().get(1).end()));
        assertEquals("kwargs", embed.arguments().get(2).name());
        assertEquals("'{\"a\":1}'::jsonb", sql.substring(embed.arguments().get(2).start(), embed.arguments().get(2).end()));
        assertTrue(sql.substring(embed.start(), embed.end()).startsWith("pgml.embed("));
        assertTrue(sql.substring(embed.start(), embed.end()).endsWith("::jsonb)"));
        CallSite transform = found.get(1);
        assertEquals(2, transform.arguments().size());
        assertEquals("ARRAY['a,b', 'c']", sql.substring(transform.arguments().get(1).start(), transform.arguments().get(1).end()));
    }

    @Test
    void ignoresCallsInLiteralsCommentsAndDollarQuotes() {
        assertTrue(calls("SELECT 'pgml.embed(1)', E'pgml.embed(\\'x\\')' -- pgml.embed(2)\n /* pgml.embed(3) /* nested */ */").isEmpty());
        assertTrue(calls("SELECT $$pgml.embed(4)$$, $tag$ pgml.embed(5) $tag$").isEmpty());
        assertTrue(calls("SELECT \"pgml.embed\"(6)").isEmpty());
        assertTrue(calls("SELECT * FROM pgml.models").isEmpty());
    }

    @Test
    void quotedSchemaAndParameters() {
        String sql = "SELECT \"pgml\".embed($1, $2::text)";
        List<CallSite> found = calls(sql);
        assertEquals(1, found.size());
        assertEquals("$1", sql.substring(found.get(0).arguments().get(0).start(), found.get(0).arguments().get(0).end()));
    }

    @Test
    void unbalancedCallIsLeftToPostgres() {
        assertTrue(calls("SELECT pgml.embed('m', 'x'").isEmpty());
    }

    @Test
    void selectListItems() {
        String sql = "SELECT a, t.*, pgml.embed('m', b) AS e, f(x, y) FROM t ORDER BY a";
        List<Token> tokens = SqlLexer.tokenize(sql);
        SelectList list = SelectList.of(tokens);
        assertEquals(4, list.items().size());
        assertTrue(list.items().get(1).star());
        assertTrue(tokens.get(list.end()).isKeyword("from"));
        assertNull(SelectList.of(SqlLexer.tokenize("UPDATE t SET a = 1")));
    }
}
