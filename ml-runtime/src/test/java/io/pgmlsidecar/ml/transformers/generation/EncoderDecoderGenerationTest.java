package io.pgmlsidecar.ml.transformers.generation;

import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.T5;
import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.json;
import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * text2text-generation, translation and summarization on {@code TinySeq2Seq}, a T5-like model that
 * translates word by word ("the cat eats fish" → "le chat mange poisson"), skipping T5's task prefixes.
 */
class EncoderDecoderGenerationTest {
    @TempDir
    static Path tmp;
    static TinyGenerationModels models;

    @BeforeAll
    static void setUp() {
        models = new TinyGenerationModels(tmp);
    }

    @AfterAll
    static void tearDown() {
        models.close();
    }

    @Test
    void text2textTranslatesWordByWord() {
        assertEquals(json("[{\"generated_text\":\"le chat mange poisson\"}]"),
                models.transform("text2text-generation", T5, null, "the cat eats fish"));
        assertEquals(json("[{\"generated_text\":\"le chien\"}]"), models.transform("text2text", T5, null, "the dog"));
    }

    @Test
    void translationUsesTheTaskPrefixFromTheConfig() {
        assertEquals(json("[{\"translation_text\":\"le chien est petit\"}]"),
                models.transform("translation_en_to_fr", T5, null, "the dog is small"));
        // the plain task takes the model's only translation entry
        assertEquals(json("[{\"translation_text\":\"le chat\"}]"), models.transform("translation", T5, null, "the cat"));
        assertEquals(json("[{\"translation_text\":\"le chat\"}]"),
                models.transform("translation", T5, "{\"src_lang\": \"en\", \"tgt_lang\": \"fr\"}", "the cat"));
    }

    @Test
    void summarizationHonoursMinAndMaxLength() {
        assertEquals(json("[{\"summary_text\":\"le chat\"}]"), models.transform("summarization", T5, null, "the cat"));
        // the end token is banned below 4 decoder tokens (start token included): "etc" is the runner-up
        assertEquals(json("[{\"summary_text\":\"le chat etc\"}]"),
                models.transform("summarization", T5, "{\"min_length\": 4}", "the cat"));
        assertEquals(json("[{\"summary_text\":\"le chat\"}]"),
                models.transform("summarization", T5, "{\"max_length\": 3}", "the cat eats fish"));
        assertEquals(json("[{\"summary_text\":\"le chat mange\"}]"),
                models.transform("summarization", T5, "{\"max_new_tokens\": 3}", "the cat eats fish"));
    }

    @Test
    void aBatchIsRightPaddedAndMatchesOneByOne() {
        JsonNode batch = models.transform("translation_en_to_fr", T5, null, "the cat", "the dog eats fish", "fish");
        assertEquals(json("[{\"translation_text\":\"le chat\"},{\"translation_text\":\"le chien mange poisson\"},"
                + "{\"translation_text\":\"poisson\"}]"), batch);
        JsonNode beams = models.transform("translation_en_to_fr", T5, "{\"num_beams\": 3}", "the cat", "the dog eats fish");
        assertEquals(batch.get(0), beams.get(0));
        assertEquals(batch.get(1), beams.get(1));
    }

    @Test
    void severalSequencesNestPerInput() {
        JsonNode out = models.transform("text2text-generation", T5, "{\"num_beams\": 2, \"num_return_sequences\": 2}", "the cat", "the dog");
        assertEquals(2, out.size());
        assertEquals(2, out.get(0).size());
        assertEquals("le chat", out.get(0).get(0).get("generated_text").asText());
        assertEquals("le chien", out.get(1).get(0).get("generated_text").asText());
    }

    @Test
    void mergedDecoderLayoutGivesTheSameText() {
        String merged = TinyGenerationModels.T5_MERGED;
        assertEquals(models.transform("translation_en_to_fr", T5, null, "the cat", "the dog eats fish"),
                models.transform("translation_en_to_fr", merged, null, "the cat", "the dog eats fish"));
        assertEquals(json("[{\"summary_text\":\"le chat etc\"}]"),
                models.transform("summarization", merged, "{\"min_length\": 4, \"num_beams\": 2}", "the cat"));
    }

    @Test
    void decoderCacheIsFedBack() {
        try (GenerativePipeline p = models.open("text2text-generation", T5)) {
            p.acquire();
            JsonNode out = p.run(texts("the cat eats fish"), PipelineArgs.empty("text2text-generation"));
            assertEquals("le chat mange poisson", out.get(0).get("generated_text").asText());
            // start token, then one token per step: le chat mange poisson </s> is 5 steps, the end is never fed
            assertEquals(5, p.lastTokensFed());
            p.release();
        }
    }

    @Test
    void streamSendsWords() {
        List<List<String>> steps = models.stream("translation_en_to_fr", T5, null, texts("the cat eats fish"));
        assertEquals(List.of(List.of("le"), List.of(" chat"), List.of(" mange"), List.of(" poisson")), steps);
        List<List<String>> two = models.stream("text2text-generation", T5,
                "{\"do_sample\": true, \"top_k\": 1, \"num_return_sequences\": 2}", texts("the dog"));
        assertEquals(List.of(List.of("le", "le"), List.of(" chien", " chien")), two);
    }

    @Test
    void badArgumentsAndWrongModels() {
        InvalidArgumentsException e = assertThrows(InvalidArgumentsException.class,
                () -> models.transform("summarization", T5, "{\"return_full_text\": false}", "the cat"));
        assertTrue(e.getMessage().contains("'return_full_text'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class,
                () -> models.transform("translation", T5, "{\"length_penalty\": \"long\"}", "the cat"));
        assertTrue(e.getMessage().contains("'length_penalty'"), e.getMessage());
        ModelFormatException m = assertThrows(ModelFormatException.class,
                () -> models.transform("summarization", TinyGenerationModels.LM, null, "one"));
        assertTrue(m.getMessage().contains("encoder-decoder"), m.getMessage());
    }
}
