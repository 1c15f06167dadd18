package io.pgmlsidecar.ml.text.chunk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Splitting on one separator: Python's re.split semantics and the Python-to-Java regex translation. */
class SeparatorSplitterTest {
    private static final SeparatorSplitter REGEX = new SeparatorSplitter(true);
    private static final SeparatorSplitter LITERAL = new SeparatorSplitter(false);

    private static List<String> pythonSplit(String pythonRegex, String text) {
        return SeparatorSplitter.pythonSplit(PythonRegex.compile(PythonRegex.translate(pythonRegex), pythonRegex), text);
    }

    /** Examples from Python's re.split documentation, plus end-of-text anchors; "|" separates the expected pieces. */
    @ParameterizedTest
    @CsvSource(delimiter = ';', ignoreLeadingAndTrailingWhitespace = false, value = {
            "\\b;Words, words;|Words|, |words|",
            "\\W*;...words...;||w|o|r|d|s||",
            "a{,};baab;|b||b|",
            "(\\Z);ab;ab||",
            "(?P<dot>\\.);a.b;a|.|b",
            "\\W+;naïve café;naïve|café"})
    void emptyMatchesGroupsAndUnicodeAsPythonSplits(String regex, String text, String expected) {
        assertEquals(Arrays.asList(expected.split("\\|", -1)), pythonSplit(regex, text));
    }

    @Test
    void dollarAlsoMatchesBeforeAFinalNewlineOnly() {
        assertEquals(List.of("ab", "", "\n", "", ""), pythonSplit("($)", "ab\n"));
        assertEquals(List.of("ab", "\n"), REGEX.split("ab\n", "$", KeepSeparator.START));
        assertEquals(List.of("ab\r\n"), REGEX.split("ab\r\n", "x$", KeepSeparator.START), "\\r is not a line end");
    }

    @Test
    void bracesThatAreNotQuantifiersAreLiteral() {
        assertEquals(List.of("a", "b", "c"), REGEX.split("a{b{c", "{", KeepSeparator.NONE));
        assertEquals(List.of("a", "b"), REGEX.split("ax{}b", "x{}", KeepSeparator.NONE));
        assertEquals(List.of("f", " f", "o"), REGEX.split("foo fooo", "o{2}", KeepSeparator.NONE));
        assertEquals(List.of("f", " f"), REGEX.split("fx foox", "o{,2}x", KeepSeparator.NONE));
        assertEquals(List.of("a", "\\section{b}"), REGEX.split("a\n\\section{b}", "\n(?=\\\\section{)", KeepSeparator.NONE));
    }

    @Test
    void characterClassesFollowPython() {
        assertEquals(List.of("a", "b"), REGEX.split("a[b", "[[]", KeepSeparator.NONE));
        assertEquals(List.of("x", "y", "z"), REGEX.split("x]yaz", "[]a]", KeepSeparator.NONE));
        assertEquals(List.of("a", "b"), REGEX.split("a&b", "[&&]", KeepSeparator.NONE));
        assertEquals(List.of("a", "b\nc"), REGEX.split("a\u000Bb\nc", "\\v", KeepSeparator.NONE));
        assertEquals(List.of("a", "b"), REGEX.split("a\uD83D\uDE00b", "\\U0001F600", KeepSeparator.NONE));
    }

    @Test
    void literalSeparatorsAreNotRegexes() {
        assertEquals(List.of("a", "b|c"), LITERAL.split("a.b|c", ".", KeepSeparator.NONE));
        assertEquals(List.of("a", ".b|c"), LITERAL.split("a.b|c", ".", KeepSeparator.START));
        assertEquals(List.of("a.", "b|c"), LITERAL.split("a.b|c", ".", KeepSeparator.END));
        assertTrue(LITERAL.occursIn("\n\\\\section{", "x\n\\\\section{y"));
        assertTrue(!LITERAL.occursIn("\n\\\\section{", "x\n\\section{y"));
    }

    @Test
    void zeroWidthMatchesNeverFallInsideASurrogatePair() {
        String grin = "\uD83D\uDE00";
        assertEquals(List.of("a" + grin + "b"), pythonSplit("\\B", "a" + grin + "b"));
        assertEquals(List.of("", grin, grin, ""), pythonSplit("\\B", grin + grin));
    }

    @Test
    void emptySeparatorSplitsIntoCodePoints() {
        assertEquals(List.of("a", "\uD83D\uDE00", "b"), LITERAL.split("a\uD83D\uDE00b", "", KeepSeparator.START));
    }

    @Test
    void capturingGroupsAreSeparatePiecesWithoutKeepAndAnErrorWithIt() {
        assertEquals(List.of("a", ",", "b"), REGEX.split("a,b", "(,)", KeepSeparator.NONE));
        ChunkingException e = assertThrows(ChunkingException.class, () -> REGEX.split("a,b", "(,)", KeepSeparator.START));
        assertTrue(e.hint().contains("(?:"), e.hint());
    }

    @Test
    void invalidRegexIsAChunkingException() {
        ChunkingException e = assertThrows(ChunkingException.class, () -> REGEX.split("a(b", "(", KeepSeparator.NONE));
        assertTrue(e.getMessage().startsWith("invalid separator regex \"(\""), e.getMessage());
        assertTrue(e.hint().contains("is_separator_regex"), e.hint());
    }
}
