package io.pgmlsidecar.ml.text.chunk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.assertChunks;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.chunk;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.kwargs;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.rejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public entry point: empty input, kwargs types, and every error. */
class TextChunkerTest {
    private static final List<String> SPLITTERS = List.of("character", "recursive_character", "markdown", "python", "latex", "nltk", "spacy");

    @ParameterizedTest
    @ValueSource(strings = {"character", "recursive_character", "markdown", "python", "latex", "nltk", "spacy"})
    void nullOrEmptyTextGivesNoChunks(String splitter) {
        assertEquals(List.of(), TextChunker.chunk(splitter, null, null));
        assertEquals(List.of(), TextChunker.chunk(splitter, "", kwargs()));
        assertEquals(List.of(), chunk(splitter, " \n\n "));
        assertEquals(List.of("one"), TextChunker.chunk(splitter, "one", null));
    }

    @Test
    void chunksCannotBeModified() {
        List<String> chunks = chunk("recursive_character", "a b", "chunk_size", 1, "chunk_overlap", 0);
        assertThrows(UnsupportedOperationException.class, () -> chunks.add("c"));
    }

    @Test
    void unknownSplitterListsTheSevenNames() {
        ChunkingException e = rejected("Character", "x");
        assertEquals("unknown splitter \"Character\"; use one of: " + String.join(", ", SPLITTERS), e.getMessage());
        assertTrue(e.hint().contains("pgml.chunk('recursive_character'"), e.hint());
        assertThrows(ChunkingException.class, () -> TextChunker.chunk(null, "x", null));
    }

    @Test
    void chunkSizeAndOverlapAreValidatedAsLangChainDoes() {
        assertEquals("chunk_size must be > 0, got 0", rejected("character", "x", "chunk_size", 0).getMessage());
        assertEquals("chunk_overlap must be >= 0, got -1", rejected("character", "x", "chunk_overlap", -1).getMessage());
        assertEquals("Got a larger chunk overlap (200) than chunk size (100), should be smaller.",
                rejected("recursive_character", "x", "chunk_size", 100).getMessage());
        assertEquals("Got a larger chunk overlap (5) than chunk size (4), should be smaller.",
                rejected("nltk", "x", "chunk_size", 4, "chunk_overlap", 5).getMessage());
        // LangChain refuses only an overlap larger than the chunk: an equal one is accepted and still makes progress
        assertEquals(java.util.List.of("ab", "bc", "cd"),
                TextChunker.chunk("character", "ab bc cd", kwargs("separator", " ", "chunk_size", 2, "chunk_overlap", 2)));
        assertEquals(java.util.List.of("ab bc", "bc cd"),
                TextChunker.chunk("character", "ab bc cd", kwargs("separator", " ", "chunk_size", 5, "chunk_overlap", 5)));
    }

    @Test
    void kwargsAreCheckedEvenWhenThereIsNoText() {
        assertThrows(ChunkingException.class, () -> TextChunker.chunk("character", null, kwargs("chunk_size", -1)));
        assertThrows(ChunkingException.class, () -> TextChunker.chunk("character", "", kwargs("chunksize", 10)));
    }

    @Test
    void unknownKwargIsNamedAndTheAcceptedOnesListed() {
        ChunkingException e = rejected("character", "x", "chunksize", 10);
        assertEquals("unknown argument \"chunksize\" for the character splitter", e.getMessage());
        assertEquals("accepted arguments: add_start_index, chunk_overlap, chunk_size, is_separator_regex, keep_separator,"
                + " length_function, separator, strip_whitespace", e.hint());
        // each LangChain class takes only its own constructor arguments
        assertEquals("unknown argument \"separators\" for the markdown splitter", rejected("markdown", "x", "separators", List.of(" ")).getMessage());
        assertEquals("unknown argument \"separator\" for the recursive_character splitter", rejected("recursive_character", "x", "separator", " ").getMessage());
        assertEquals("unknown argument \"is_separator_regex\" for the nltk splitter", rejected("nltk", "x", "is_separator_regex", true).getMessage());
        assertEquals("unknown argument \"language\" for the spacy splitter", rejected("spacy", "x", "language", "english").getMessage());
    }

    @Test
    void numbersMayComeAsAnyIntegralJsonNumber() {
        List<String> expected = List.of("foo bar", "bar baz", "baz 123");
        for (Object size : List.<Object>of(7, 7L, 7.0, BigInteger.valueOf(7))) {
            assertChunks(expected, "character", "foo bar baz 123", "separator", " ", "chunk_size", size, "chunk_overlap", 3);
        }
    }

    @Test
    void wrongKwargTypesAreErrors() {
        assertEquals("chunk_size must be an integer for the character splitter, got the string \"10\"",
                rejected("character", "x", "chunk_size", "10").getMessage());
        assertEquals("chunk_size must be an integer for the character splitter, got 10.5",
                rejected("character", "x", "chunk_size", 10.5).getMessage());
        assertEquals("chunk_overlap must be an integer for the character splitter, got true",
                rejected("character", "x", "chunk_overlap", true).getMessage());
        assertEquals("chunk_size must be an integer for the character splitter, got null",
                rejected("character", "x", "chunk_size", null).getMessage());
        assertEquals("separator must be a string for the character splitter, got null",
                rejected("character", "x", "separator", null).getMessage());
        assertEquals("separators must be an array of strings for the recursive_character splitter, got the string \"\\n\"",
                rejected("recursive_character", "x", "separators", "\n").getMessage());
        assertEquals("separators must be an array of strings for the recursive_character splitter, got an array",
                rejected("recursive_character", "x", "separators", Arrays.asList(" ", 1)).getMessage());
        assertEquals("keep_separator must be true, false, \"start\" or \"end\" for the python splitter, got the string \"middle\"",
                rejected("python", "x", "keep_separator", "middle").getMessage());
        assertEquals("strip_whitespace must be true or false for the latex splitter, got the string \"yes\"",
                rejected("latex", "x", "strip_whitespace", "yes").getMessage());
        assertEquals("is_separator_regex must be true or false for the markdown splitter, got 1",
                rejected("markdown", "x", "is_separator_regex", 1).getMessage());
        assertEquals("max_length must be an integer for the spacy splitter, got an object",
                rejected("spacy", "x", "max_length", kwargs("a", 1)).getMessage());
    }

    @Test
    void onlyTheCharacterCountLengthFunctionIsSupported() {
        assertChunks(List.of("a", "b"), "character", "a b", "separator", " ", "chunk_size", 1, "chunk_overlap", 0, "length_function", "len");
        ChunkingException e = rejected("recursive_character", "a b", "length_function", "tiktoken");
        assertEquals("length_function the string \"tiktoken\" is not supported: chunks are measured in characters (Python's len)", e.getMessage());
        assertTrue(e.hint().contains("\"len\""), e.hint());
    }

    @Test
    void addStartIndexIsAcceptedAndIgnored() {
        assertChunks(List.of("a b"), "recursive_character", "a b", "add_start_index", true);
        assertThrows(ChunkingException.class, () -> chunk("recursive_character", "a b", "add_start_index", "yes"));
    }
}
