package io.pgmlsidecar.ml.text.chunk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.GRIN;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.assertChunks;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.chunk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The "character" splitter (LangChain's CharacterTextSplitter). */
class CharacterSplitterTest {

    @Test
    void langChainDocExampleWithOverlap() {
        assertChunks(List.of("foo bar", "bar baz", "baz 123"), "character", "foo bar baz 123",
                "separator", " ", "chunk_size", 7, "chunk_overlap", 3);
    }

    @Test
    void langChainEdgeCases() {
        assertChunks(List.of("foo", "bar"), "character", "foo  bar", "separator", " ", "chunk_size", 2, "chunk_overlap", 0);
        assertChunks(List.of("f", "b"), "character", "f b", "separator", " ", "chunk_size", 2, "chunk_overlap", 0);
        assertChunks(List.of("foo", "bar", "baz", "a a"), "character", "foo bar baz a a", "separator", " ", "chunk_size", 3, "chunk_overlap", 1);
        assertChunks(List.of("a a", "foo", "bar", "baz"), "character", "a a foo bar baz", "separator", " ", "chunk_size", 3, "chunk_overlap", 1);
        assertChunks(List.of("f", "o", "o"), "character", "foo", "separator", "", "chunk_size", 1, "chunk_overlap", 0);
    }

    @Test
    void langChainMergeSplitsExample() {
        SplitMerger merger = new SplitMerger(new ChunkSettings(9, 2, KeepSeparator.NONE, true));
        assertEquals(List.of("foo bar", "baz"), merger.merge(List.of("foo", "bar", "baz"), " "));
    }

    @Test
    void piecesLongerThanChunkSizeBecomeChunksOfTheirOwn() {
        // LangChain logs "Created a chunk of size 3, which is longer than the specified 2" and goes on
        assertChunks(List.of("foo", "bar", "baz", "123"), "character", "foo bar baz 123", "separator", " ", "chunk_size", 2, "chunk_overlap", 1);
    }

    @Test
    void overlapCarriesTrailingPiecesThatFitInIt() {
        assertChunks(List.of("a bb ccc", "ccc dddd", "dddd eeeee", "ff g"), "character", "a bb ccc dddd eeeee ff g",
                "separator", " ", "chunk_size", 10, "chunk_overlap", 4);
    }

    /** LangChain's test_character_text_splitter_keep_separator_regex{,_start,_end} and _discard_separator_regex. */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "true;  foo|.bar|.baz|.123",
            "start; foo|.bar|.baz|.123",
            "end;   foo.|bar.|baz.|123",
            "false; foo|bar|baz|123"})
    void keepSeparatorVariantsWithARegexSpecialCharacter(String keep, String expected) {
        Object keepValue = keep.equals("true") || keep.equals("false") ? Boolean.valueOf(keep) : keep;
        List<String> chunks = List.of(expected.split("\\|"));
        assertChunks(chunks, "character", "foo.bar.baz.123", "separator", "\\.", "is_separator_regex", true,
                "chunk_size", 1, "chunk_overlap", 0, "keep_separator", keepValue);
        assertChunks(chunks, "character", "foo.bar.baz.123", "separator", ".",
                "chunk_size", 1, "chunk_overlap", 0, "keep_separator", keepValue);
    }

    @Test
    void regexSeparatorIsDroppedAndTheRawPatternReinsertedWhenMerging() {
        assertChunks(List.of("alpha", "beta", "gamma", "delta"), "character", "alpha , beta;gamma ,delta",
                "separator", "\\s*[,;]\\s*", "is_separator_regex", true, "chunk_size", 8, "chunk_overlap", 0);
        // merged pieces are joined with the separator as written, regex syntax included (LangChain does the same)
        assertChunks(List.of("a\\s*,\\s*b"), "character", "a , b", "separator", "\\s*,\\s*", "is_separator_regex", true);
    }

    @Test
    void lookaroundSeparatorIsNotReinserted() {
        assertChunks(List.of("#a#b", "#c"), "character", "#a#b#c",
                "separator", "(?=#)", "is_separator_regex", true, "chunk_size", 4, "chunk_overlap", 0);
    }

    @Test
    void defaultsSplitOnBlankLinesIntoChunksOf4000WithOverlap200() {
        String text = IntStream.range(0, 50).mapToObj(i -> String.format("p%03d ", i) + "x".repeat(95))
                .collect(Collectors.joining("\n\n"));
        List<String> chunks = chunk("character", text);
        assertEquals(2, chunks.size());
        assertEquals(39 * 100 + 38 * 2, chunks.get(0).length()); // p000..p038
        assertTrue(chunks.get(1).startsWith("p038 "), "one 100-character paragraph fits in the 200 overlap");
        assertEquals(12 * 100 + 11 * 2, chunks.get(1).length());
    }

    @Test
    void stripWhitespaceFalseKeepsTheSpaceAtTheStartOfAChunk() {
        assertChunks(List.of("ab cd", " ef gh"), "character", "ab cd ef gh", "separator", " ", "chunk_size", 6,
                "chunk_overlap", 0, "keep_separator", true, "strip_whitespace", false);
    }

    @Test
    void stripUsesPythonWhitespaceIncludingNoBreakSpace() {
        assertChunks(List.of("a\u00A0|b"), "character", "\u00A0a\u00A0|b\u0085", "separator", "|", "chunk_overlap", 0);
    }

    @Test
    void lengthsAreCodePointsNotUtf16Units() {
        // "ab 😀😀" is 5 Python characters; counted in Java chars it would be 7 and not fit
        assertChunks(List.of("ab " + GRIN + GRIN, "cd"), "character", "ab " + GRIN + GRIN + " cd",
                "separator", " ", "chunk_size", 5, "chunk_overlap", 0);
        assertChunks(List.of(GRIN, "é"), "character", GRIN + "é", "separator", "", "chunk_size", 1, "chunk_overlap", 0);
    }
}
