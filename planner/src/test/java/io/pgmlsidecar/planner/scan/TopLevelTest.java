package io.pgmlsidecar.planner.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopLevelTest {

    private static List<String> walk(String sql, int from) {
        List<Token> tokens = SqlLexer.tokenize(sql);
        List<String> out = new ArrayList<>();
        for (int i = TopLevel.first(tokens, from); i >= 0; i = TopLevel.after(tokens, i)) {
            out.add(tokens.get(i).text());
        }
        return out;
    }

    @Test
    void bracketedPartsAreSteppedOverWhole() {
        assertEquals(List.of("SELECT", "f", "(", ",", "a", "[", "FROM", "t"), walk("SELECT f(x, (y)), a[1:2] FROM t", 0));
        assertEquals(List.of("(", "AS", "SELECT", "1"), walk("CREATE TABLE t (a int GENERATED ALWAYS AS (b) STORED) AS SELECT 1", 3));
    }

    @Test
    void anUnmatchedClosingBracketEndsTheWalk() {
        assertEquals(List.of("x", ","), walk("(x, y) z", 1).subList(0, 2));
        assertEquals(List.of("y"), walk("(x, y) z", 3));
        assertEquals(List.of("a", "("), walk("a (b", 0));
    }

    @Test
    void findsTheFirstMatch() {
        List<Token> tokens = SqlLexer.tokenize("INSERT INTO t (a, select_me) WITH w AS (SELECT 1) SELECT * FROM w");
        int found = TopLevel.find(tokens, 1, t -> t.isKeyword("select"));
        assertEquals("SELECT", tokens.get(found).text());
        assertEquals("*", tokens.get(found + 1).text());
        assertEquals(-1, TopLevel.find(tokens, 1, t -> t.isKeyword("values")));
    }
}
