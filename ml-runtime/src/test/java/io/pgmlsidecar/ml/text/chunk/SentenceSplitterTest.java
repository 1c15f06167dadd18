package io.pgmlsidecar.ml.text.chunk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.assertChunks;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.chunk;
import static io.pgmlsidecar.ml.text.chunk.ChunkFixtures.rejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nltk and spacy splitters: sentences (JDK BreakIterator, not Punkt / spaCy) merged with "\n\n". */
class SentenceSplitterTest {
    private static final String TEXT = "Dr. Smith arrived at 10 a.m. today. He was late! Was he tired? Yes.\n\nThe end.";
    private static final List<String> SENTENCES = List.of("Dr. Smith arrived at 10 a.m. today.", "He was late!",
            "Was he tired?", "Yes.", "The end.");

    /** With chunk_size 1 every sentence is a chunk of its own, which shows the sentence boundaries. */
    @ParameterizedTest
    @ValueSource(strings = {"nltk", "spacy"})
    void sentenceBoundaries(String splitter) {
        assertChunks(SENTENCES, splitter, TEXT, "chunk_size", 1, "chunk_overlap", 0);
        assertChunks(List.of("Prices rose 3.5% in 2023.", "Analysts, e.g. Mr. Brown, expected it.", "Fine."), splitter,
                "Prices rose 3.5% in 2023. Analysts, e.g. Mr. Brown, expected it. Fine.", "chunk_size", 1, "chunk_overlap", 0);
        assertChunks(List.of("No full stop\nat the line end"), splitter, "No full stop\nat the line end", "chunk_size", 1, "chunk_overlap", 0);
        assertChunks(List.of("¿Qué tal?", "Muy bien.", "Gracias."), splitter, "¿Qué tal? Muy bien. Gracias.", "chunk_size", 1, "chunk_overlap", 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nltk", "spacy"})
    void sentencesAreMergedWithBlankLines(String splitter) {
        assertChunks(List.of(String.join("\n\n", SENTENCES)), splitter, TEXT);
        assertChunks(List.of("Dr. Smith arrived at 10 a.m. today.", "He was late!\n\nWas he tired?\n\nYes.", "The end."),
                splitter, TEXT, "chunk_size", 40, "chunk_overlap", 0);
        assertChunks(List.of("Dr. Smith arrived at 10 a.m. today. He was late!", "Was he tired? Yes. The end."),
                splitter, TEXT, "chunk_size", 50, "chunk_overlap", 0, "separator", " ");
    }

    @Test
    void overlapRepeatsWholeSentences() {
        assertChunks(List.of("One two.\n\nThree four.", "Three four.\n\nFive six seven."), "nltk",
                "One two. Three four. Five six seven.", "chunk_size", 30, "chunk_overlap", 15);
    }

    @Test
    void nltkSpanTokenizeKeepsTheWhitespaceBeforeEachSentence() {
        assertChunks(List.of("Dr. Smith arrived at 10 a.m. today.", "He was late! Was he tired? Yes.", "The end."),
                "nltk", TEXT, "chunk_size", 40, "chunk_overlap", 0, "use_span_tokenize", true, "separator", "");
        List<String> unstripped = chunk("nltk", TEXT, "chunk_size", 40, "chunk_overlap", 0, "use_span_tokenize", true,
                "separator", "", "strip_whitespace", false);
        assertEquals(List.of("Dr. Smith arrived at 10 a.m. today.", " He was late! Was he tired? Yes.", "\n\nThe end."), unstripped);
        assertEquals(TEXT, String.join("", unstripped));
    }

    @Test
    void spacyWithoutStripKeepsTheWhitespaceAfterEachSentence() {
        assertChunks(List.of("Dr. Smith arrived at 10 a.m. today. ", "He was late! \n\nWas he tired? \n\nYes.\n\n", "The end."),
                "spacy", TEXT, "chunk_size", 40, "chunk_overlap", 0, "strip_whitespace", false);
    }

    @Test
    void nltkAndSpacyArguments() {
        assertChunks(SENTENCES, "nltk", TEXT, "chunk_size", 1, "chunk_overlap", 0, "language", "german");
        assertChunks(SENTENCES, "spacy", TEXT, "chunk_size", 1, "chunk_overlap", 0, "pipeline", "sentencizer", "max_length", 10);
        assertTrue(rejected("nltk", TEXT, "language", "klingon").hint().contains("english"));
        assertEquals("When use_span_tokenize is True, separator should be ''",
                rejected("nltk", TEXT, "use_span_tokenize", true).getMessage());
    }

    @Test
    void spacyRefusesTextsLongerThanMaxLength() {
        ChunkingException e = rejected("spacy", "Twelve chars", "max_length", 11);
        assertTrue(e.getMessage().startsWith("[E088] Text of length 12 exceeds maximum of 11"), e.getMessage());
        assertEquals(List.of("Twelve chars"), chunk("spacy", "Twelve chars", "max_length", 12));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nltk", "spacy"})
    void whitespaceOnlyTextHasNoSentences(String splitter) {
        assertEquals(List.of(), chunk(splitter, "  \n\t "));
    }
}
