package io.pgmlsidecar.ml.text.chunk;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.GRIN;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.HARRISON;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.assertChunks;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.chunk;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The "recursive_character" splitter (LangChain's RecursiveCharacterTextSplitter). */
class RecursiveCharacterSplitterTest {
    private static final String FRUIT = "Apple,banana,orange and tomato.";

    @Test
    void langChainIterativeExample() {
        assertChunks(List.of("Hi.", "I'm", "Harrison.", "How? Are?", "You?", "Okay then", "f f f f.", "This is a",
                        "weird", "text to", "write,", "but gotta", "test the", "splitting", "gggg", "some how.", "Bye!", "-H."),
                "recursive_character", HARRISON, "chunk_size", 10, "chunk_overlap", 1);
    }

    @Test
    void langChainStartIndexExample() {
        assertChunks(List.of("w1 w1", "w1 w1", "w1 w1", "w1 w1", "w1"), "recursive_character", "w1 w1 w1 w1 w1 w1 w1 w1 w1",
                "chunk_size", 6, "chunk_overlap", 0, "separators", List.of("\n\n", "\n", " ", ""), "add_start_index", true);
    }

    @Test
    void keepSeparatorStartEndAndFalse() {
        List<String> separators = List.of(",", ".");
        assertChunks(List.of("Apple", ",banana", ",orange and tomato", "."), "recursive_character", FRUIT,
                "chunk_size", 10, "chunk_overlap", 0, "separators", separators, "keep_separator", "start");
        assertChunks(List.of("Apple,", "banana,", "orange and tomato."), "recursive_character", FRUIT,
                "chunk_size", 10, "chunk_overlap", 0, "separators", separators, "keep_separator", "end");
        // a piece too long for chunk_size with no finer separator left is kept whole
        assertChunks(List.of("Apple", "banana", "orange and tomato"), "recursive_character", FRUIT,
                "chunk_size", 10, "chunk_overlap", 0, "separators", separators, "keep_separator", false);
    }

    /** LangChain's test_iterative_text_splitter_keep_separator / _discard_separator. */
    @Test
    void langChainKeepAndDiscardSeparatorExamples() {
        String text = "....5X..3Y...4X....5Y...";
        assertChunks(List.of("....5", "X..3", "Y...4", "X....5", "Y..."), "recursive_character", text,
                "chunk_size", 6, "chunk_overlap", 0, "separators", List.of("X", "Y"), "keep_separator", true);
        assertChunks(List.of("....5", "..3", "...4", "....5", "..."), "recursive_character", text,
                "chunk_size", 5, "chunk_overlap", 0, "separators", List.of("X", "Y"), "keep_separator", false);
    }

    @Test
    void overlapRepeatsTheLastWords() {
        assertChunks(List.of("aaa bbb", "bbb ccc", "ccc ddd", "ddd eee"), "recursive_character", "aaa bbb ccc ddd eee",
                "chunk_size", 10, "chunk_overlap", 4);
    }

    @Test
    void unsplittablePieceIsKeptAsItIsWithoutStripping() {
        assertChunks(List.of("abcdef", " gh"), "recursive_character", "abcdef gh",
                "separators", List.of(" "), "chunk_size", 3, "chunk_overlap", 0);
    }

    @Test
    void emptyOrNullSeparatorsMeanTheDefaultList() {
        List<String> expected = List.of("aaaa bbbb", "cccc dddd", "eeee");
        String text = "aaaa bbbb\n\ncccc dddd eeee";
        assertChunks(expected, "recursive_character", text, "separators", List.of(), "chunk_size", 10, "chunk_overlap", 0);
        assertChunks(expected, "recursive_character", text, "separators", null, "chunk_size", 10, "chunk_overlap", 0);
    }

    @Test
    void regexSeparatorsWithLookbehindAndWhitespaceClasses() {
        assertChunks(List.of("First one.", "Second one!", "Third paragraph", "here.", "End."), "recursive_character",
                "First one. Second one!\n   \nThird paragraph here. End.",
                "separators", List.of("\\n\\s*\\n", "(?<=[.!?]) ", ""), "is_separator_regex", true,
                "keep_separator", false, "chunk_size", 15, "chunk_overlap", 0);
    }

    @Test
    void defaultsAre4000CharactersWith200Overlap() {
        String words = IntStream.range(0, 1000).mapToObj(i -> String.format("w%03d", i)).collect(Collectors.joining(" "));
        List<String> chunks = chunk("recursive_character", words);
        assertEquals(2, chunks.size());
        assertEquals(3999, chunks.get(0).length()); // w000 .. w799
        assertEquals(words.substring(words.indexOf("w760")), chunks.get(1)); // 40 words of 5 characters overlap
    }

    @Test
    void characterFallbackNeverCutsASurrogatePair() {
        assertChunks(List.of(GRIN + GRIN, GRIN + GRIN), "recursive_character", GRIN.repeat(4), "chunk_size", 2, "chunk_overlap", 0);
    }
}
