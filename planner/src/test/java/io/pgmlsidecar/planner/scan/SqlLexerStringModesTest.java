package io.pgmlsidecar.planner.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Plain '…' strings read with standard_conforming_strings on (backslash literal) and off (backslash escapes). */
class SqlLexerStringModesTest {

    private static List<String> strings(List<Token> tokens) {
        return tokens.stream().filter(t -> t.kind() == Token.Kind.STRING).map(Token::text).toList();
    }

    @Test
    void aBackslashQuoteEndsAConformingStringButNotANonConformingOne() {
        String sql = "SELECT 'x\\'y pgml.embed(\\'m\\', \\'t\\')' AS s";
        assertEquals(List.of("'x\\'y pgml.embed(\\'m\\', \\'t\\')'"), strings(SqlLexer.tokenizeNonConforming(sql)));
        assertNotEquals(SqlLexer.tokenize(sql), SqlLexer.tokenizeNonConforming(sql));
        assertEquals(List.of("'x\\'"), strings(SqlLexer.tokenize(sql)).subList(0, 1));
    }

    @Test
    void withoutBackslashesBothReadingsAgree() {
        String sql = "SELECT 'it''s', E'a\\'b', $$c\\$$, pgml.embed('m', 'x')";
        assertEquals(SqlLexer.tokenize(sql.replace("E'a\\'b', ", "")), SqlLexer.tokenizeNonConforming(sql.replace("E'a\\'b', ", "")));
        assertEquals(SqlLexer.tokenize(sql), SqlLexer.tokenizeNonConforming(sql), "E'' and dollar quotes read the same either way");
    }
}
