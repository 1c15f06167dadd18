package io.pgmlsidecar.ml.transformers.generation;

import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.LM;
import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.LM_SINGLE;
import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.LM_SPLIT;
import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.json;
import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * text-generation on {@code TinyCausalLm}, whose continuations are known by construction: counting
 * words continue "… ten" and end, "la" continues "la la la di" only when the cache is fed back, "go" is
 * "go left down" greedily and "go right up" with two beams.
 */
class DecoderOnlyGenerationTest {
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

    static String generated(JsonNode out, int input, int sequence) {
        return out.get(input).get(sequence).get("generated_text").asText();
    }

    @Test
    void greedyContinuesWithThePromptByDefault() {
        JsonNode out = models.transform("text-generation", LM, null, "one two");
        assertEquals(json("[[{\"generated_text\":\"one two three four five six seven eight nine ten\"}]]"), out);
    }

    @Test
    void returnFullTextFalseGivesTheContinuationOnly() {
        JsonNode out = models.transform("text-generation", LM, "{\"return_full_text\": false}", "one two");
        assertEquals(" three four five six seven eight nine ten", generated(out, 0, 0));
    }

    @Test
    void maxNewTokensAndMaxLengthBoundTheContinuation() {
        assertEquals("one two three four", generated(models.transform("text-generation", LM, "{\"max_new_tokens\": 3}", "one"), 0, 0));
        // max_length counts the prompt: 2 prompt tokens + 2 new
        assertEquals("one two three four", generated(models.transform("text-generation", LM, "{\"max_length\": 4}", "one two"), 0, 0));
    }

    @Test
    void endTokenStopsAndCanBeNamedByText() {
        assertEquals("eight nine ten", generated(models.transform("text-generation", LM, null, "eight"), 0, 0));
        assertEquals("one two three four five",
                generated(models.transform("text-generation", LM, "{\"eos_token\": \"▁five\"}", "one"), 0, 0));
        int four = TinyCausalLmIds.id("four");
        assertEquals("one two three four",
                generated(models.transform("text-generation", LM, "{\"eos_token_id\": [" + four + ", 1]}", "one"), 0, 0));
    }

    @Test
    void cacheIsFedBackAndThePrefixIsNotRecomputed() {
        // the model penalises "la" by how often it is in the cache: only a fed-back cache ends the loop
        assertEquals("la la la la di", generated(models.transform("text-generation", LM, null, "la"), 0, 0));
        try (GenerativePipeline p = models.open("text-generation", LM)) {
            p.acquire();
            JsonNode out = p.run(texts("one two"), PipelineArgs.empty("text-generation"));
            assertEquals("one two three four five six seven eight nine ten", generated(out, 0, 0));
            // prompt once (2), then one token per step for 8 steps: the 9th token (the end) is never fed
            assertEquals(2 + 8, p.lastTokensFed());
            p.run(texts("one two", "la"), PipelineArgs.empty("text-generation"));
            // two rows padded to 2 tokens, then 8 steps of 2 rows
            assertEquals(2 * 2 + 8 * 2, p.lastTokensFed());
            p.release();
        }
    }

    @Test
    void everyOnnxLayoutGivesTheSameText() {
        for (String model : List.of(LM, LM_SINGLE, LM_SPLIT)) {
            assertEquals("la la la la di", generated(models.transform("text-generation", model, null, "la"), 0, 0), model);
            assertEquals("go left down", generated(models.transform("text-generation", model, null, "go"), 0, 0), model);
            assertEquals("go right up", generated(models.transform("text-generation", model, "{\"num_beams\": 2}", "go"), 0, 0), model);
        }
    }

    @Test
    void beamSearchFindsTheBetterSequenceGreedyMisses() {
        assertEquals("go left down", generated(models.transform("text-generation", LM, null, "go"), 0, 0));
        assertEquals("go right up", generated(models.transform("text-generation", LM, "{\"num_beams\": 2, \"early_stopping\": true}", "go"), 0, 0));
        // beams swap rows here ("sky blue" comes from row 1, "sky red" from row 0): the cache must follow them
        assertEquals("sky red ok stop", generated(models.transform("text-generation", LM, null, "sky"), 0, 0));
        assertEquals("sky blue ok", generated(models.transform("text-generation", LM, "{\"num_beams\": 2}", "sky"), 0, 0));
        JsonNode two = models.transform("text-generation", LM, "{\"num_beams\": 3, \"num_return_sequences\": 2}", "go");
        assertEquals(1, two.size());
        assertEquals(2, two.get(0).size());
        assertEquals("go right up", generated(two, 0, 0));
        assertEquals("go left down", generated(two, 0, 1));
    }

    @Test
    void samplingReturnsTheRequestedSequences() {
        JsonNode out = models.transform("text-generation", LM, "{\"do_sample\": true, \"num_return_sequences\": 3, \"seed\": 5}",
                "one", "go");
        assertEquals(2, out.size());
        assertEquals(3, out.get(0).size());
        assertEquals(3, out.get(1).size());
        for (JsonNode seq : out.get(1)) assertTrue(seq.get("generated_text").asText().startsWith("go"), seq.toString());
    }

    @Test
    void topKOneAndNarrowTopPAndColdTemperatureSampleTheGreedyText() {
        String greedy = generated(models.transform("text-generation", LM, null, "one two"), 0, 0);
        for (String args : List.of("{\"do_sample\": true, \"top_k\": 1, \"temperature\": 3.0, \"seed\": 1}",
                "{\"do_sample\": true, \"top_p\": 0.5, \"seed\": 2}",
                "{\"do_sample\": true, \"temperature\": 0.05, \"seed\": 3}")) {
            JsonNode out = models.transform("text-generation", LM, args.replace("}", ", \"num_return_sequences\": 4}"), "one two");
            for (JsonNode seq : out.get(0)) assertEquals(greedy, seq.get("generated_text").asText(), args);
        }
    }

    @Test
    void seedMakesHotSamplingReproducible() {
        String args = "{\"do_sample\": true, \"temperature\": 4.0, \"top_k\": 0, \"num_return_sequences\": 6, \"seed\": %d}";
        JsonNode a = models.transform("text-generation", LM, args.formatted(11), "one");
        JsonNode b = models.transform("text-generation", LM, args.formatted(11), "one");
        JsonNode c = models.transform("text-generation", LM, args.formatted(12), "one");
        assertEquals(a, b);
        assertNotEquals(a, c);
        String greedy = generated(models.transform("text-generation", LM, null, "one"), 0, 0);
        boolean differs = false;
        for (JsonNode seq : a.get(0)) differs |= !seq.get("generated_text").asText().equals(greedy);
        assertTrue(differs, "a hot temperature must leave the greedy path: " + a);
    }

    @Test
    void repetitionPenaltyBreaksTheRepeat() {
        assertEquals("la la la la di", generated(models.transform("text-generation", LM, null, "la"), 0, 0));
        assertEquals("la di", generated(models.transform("text-generation", LM, "{\"repetition_penalty\": 2.0}", "la"), 0, 0));
    }

    @Test
    void aBatchGivesWhatEachInputGivesAlone() {
        String[] inputs = {"one two", "go", "la", "five six seven", "hi"};
        JsonNode batch = models.transform("text-generation", LM, null, inputs);
        assertEquals(inputs.length, batch.size());
        for (int i = 0; i < inputs.length; i++) {
            assertEquals(models.transform("text-generation", LM, null, inputs[i]).get(0), batch.get(i), inputs[i]);
        }
        assertEquals("hi there", generated(batch, 4, 0));
        // position ids count real tokens only: the end bias from position 16 must not reach padded rows early
        String longPrompt = "one ".repeat(13) + "two";
        JsonNode mixed = models.transform("text-generation", LM, null, longPrompt, "one two");
        assertEquals(longPrompt + " three four five", generated(mixed, 0, 0));
        assertEquals("one two three four five six seven eight nine ten", generated(mixed, 1, 0));
        JsonNode beams = models.transform("text-generation", LM, "{\"num_beams\": 2}", "go", "one two", "la");
        assertEquals("go right up", generated(beams, 0, 0));
        assertEquals("one two three four five six seven eight nine ten", generated(beams, 1, 0));
    }

    @Test
    void streamSendsTheRunsTextStepByStep() {
        List<List<String>> steps = models.stream("text-generation", LM, null, texts("one two"));
        assertEquals(8, steps.size());
        assertEquals(List.of(" three"), steps.get(0));
        StringBuilder all = new StringBuilder();
        for (List<String> s : steps) all.append(s.get(0));
        assertEquals(generated(models.transform("text-generation", LM, "{\"return_full_text\": false}", "one two"), 0, 0),
                all.toString());
        List<List<String>> beams = models.stream("text-generation", LM, "{\"num_beams\": 2}", texts("go"));
        assertEquals(List.of(List.of(" right up")), beams);
    }

    @Test
    void interruptStopsAStream() {
        List<List<String>> seen = new ArrayList<>();
        try {
            assertThrows(GenerationCancelledException.class, () -> models.service.stream(
                    TinyGenerationModels.request("text-generation", LM, null, texts("one")), step -> {
                        seen.add(step);
                        Thread.currentThread().interrupt();
                    }));
        } finally {
            Thread.interrupted();
        }
        assertEquals(List.of(List.of(" two")), seen);
        // the pipeline still works afterwards
        assertEquals("eight nine ten", generated(models.transform("text-generation", LM, null, "eight"), 0, 0));
    }

    @Test
    void anInterruptedCallerGetsNoBeamSearch() {
        Thread.currentThread().interrupt();
        try {
            assertThrows(GenerationCancelledException.class,
                    () -> models.transform("text-generation", LM, "{\"num_beams\": 2}", "go"));
        } finally {
            Thread.interrupted();
        }
        assertEquals("go right up", generated(models.transform("text-generation", LM, "{\"num_beams\": 2}", "go"), 0, 0));
    }

    @Test
    void badArgumentsNameTheKey() {
        for (String[] c : new String[][] {
                {"{\"temperature\": \"hot\", \"do_sample\": true}", "temperature"},
                {"{\"colour\": 1}", "colour"},
                {"{\"num_return_sequences\": 2}", "num_return_sequences"},
                {"{\"max_new_tokens\": 100000}", "max_new_tokens"},
                {"{\"max_length\": 100000}", "max_length"},
                {"{\"top_p\": 1.5}", "top_p"},
                {"{\"num_beams\": 2, \"num_return_sequences\": 3}", "num_return_sequences"},
                {"{\"eos_token\": \"no such words\"}", "eos_token"},
                {"{\"do_sample\": \"yes\"}", "do_sample"},
                {"{\"chat_template\": \"x\"}", "chat_template"}}) {
            InvalidArgumentsException e = assertThrows(InvalidArgumentsException.class,
                    () -> models.transform("text-generation", LM, c[0], "one"), c[0]);
            assertTrue(e.getMessage().contains("'" + c[1] + "'"), e.getMessage());
        }
    }

    @Test
    void promptsLongerThanThePositionsAreRefused() {
        // 64 positions: a 64-token prompt leaves no room
        InvalidArgumentsException e = assertThrows(InvalidArgumentsException.class,
                () -> models.transform("text-generation", LM, null, "one ".repeat(64).strip()));
        assertTrue(e.getMessage().contains("64 positions"), e.getMessage());
    }

    @Test
    void concurrentCallsShareThePipeline() throws Exception {
        String[] prompts = {"one two", "go", "la", "sky", "hi", "eight"};
        String[] expected = new String[prompts.length];
        for (int i = 0; i < prompts.length; i++) expected[i] = generated(models.transform("text-generation", LM, null, prompts[i]), 0, 0);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<String>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (String p : prompts) {
                    futures.add(pool.submit(() -> generated(models.transform("text-generation", LM, "{\"num_beams\": 1}", p), 0, 0)));
                }
            }
            for (int i = 0; i < futures.size(); i++) assertEquals(expected[i % prompts.length], futures.get(i).get());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Token ids of the tiny LM's vocabulary. */
    static final class TinyCausalLmIds {
        static int id(String word) {
            return io.pgmlsidecar.testmodels.decoders.TinyCausalLm.TOKENIZER.id(word);
        }
    }
}
