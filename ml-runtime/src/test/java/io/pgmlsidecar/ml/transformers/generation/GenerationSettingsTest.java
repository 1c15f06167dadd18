package io.pgmlsidecar.ml.transformers.generation;

import static io.pgmlsidecar.ml.transformers.generation.TinyGenerationModels.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Generation settings layered as transformers does, and its logits processors, on hand-checked numbers. */
class GenerationSettingsTest {
    static GenerationConfig resolve(String args, String... layers) {
        List<com.fasterxml.jackson.databind.JsonNode> l = new java.util.ArrayList<>();
        for (String s : layers) l.add(json(s));
        return GenerationConfig.resolve(new PipelineArgs(json(args), "text-generation"), l, t -> t.equals("</s>") ? 2L : null);
    }

    @Test
    void argumentsOverrideTaskParamsOverrideGenerationConfigOverrideConfig() {
        GenerationConfig c = resolve("{\"temperature\": 0.5}",
                "{\"max_length\": 50, \"temperature\": 0.9}",
                "{\"do_sample\": true, \"top_k\": 7, \"eos_token_id\": [5, 6], \"max_length\": 40}",
                "{\"eos_token_id\": 9, \"pad_token_id\": 3, \"top_p\": 0.8}");
        assertEquals(0.5, c.temperature());
        assertEquals(50, c.maxLength());
        assertTrue(c.doSample());
        assertEquals(7, c.topK());
        assertEquals(0.8, c.topP());
        assertArrayEquals(new long[] {5, 6}, c.eosTokenIds());
        assertEquals(3, c.padTokenId());
        assertEquals(3, c.decoderStartTokenId());
        assertNull(c.seed());
    }

    @Test
    void transformersDefaultsApplyWhenNothingSays() {
        GenerationConfig c = resolve("{}");
        assertEquals(20, c.maxLength());
        assertNull(c.maxNewTokens());
        assertEquals(50, c.topK());
        assertEquals(1.0, c.topP());
        assertEquals(1, c.numBeams());
        assertFalse(c.doSample());
        assertEquals(17, c.newTokenLimit(3));
        assertEquals(0, c.newTokenLimit(25));
    }

    @Test
    void lengthsAndTheCap() {
        assertEquals(4, resolve("{\"max_new_tokens\": 4, \"max_length\": 100}").newTokenLimit(10));
        // a model's own large max_length is clamped to the cap; the same from the call is an error
        assertEquals(GenerationConfig.maxNewTokensCap(), resolve("{}", "{\"max_length\": 100000}").newTokenLimit(5));
        InvalidArgumentsException e = assertThrows(InvalidArgumentsException.class,
                () -> resolve("{\"max_length\": 100000}").newTokenLimit(5));
        assertTrue(e.getMessage().contains("'max_length'"), e.getMessage());
        assertArrayEquals(new long[] {2}, resolve("{\"eos_token\": \"</s>\"}").eosTokenIds());
    }

    @Test
    void badValuesNameTheirKey() {
        for (String[] c : new String[][] {
                {"{\"early_stopping\": \"sometimes\"}", "early_stopping"},
                {"{\"eos_token_id\": \"x\"}", "eos_token_id"},
                {"{\"num_beams\": 0}", "num_beams"},
                {"{\"repetition_penalty\": 0}", "repetition_penalty"},
                {"{\"do_sample\": true, \"temperature\": 0}", "temperature"},
                {"{\"seed\": 1.5}", "seed"},
                {"{\"top_k\": -1}", "top_k"}}) {
            InvalidArgumentsException e = assertThrows(InvalidArgumentsException.class, () -> resolve(c[0]), c[0]);
            assertTrue(e.getMessage().contains("'" + c[1] + "'"), e.getMessage());
        }
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeScoresOnce() {
        float[] s = {2f, -1f, 3f, 4f};
        LogitsProcessing.repetitionPenalty(s, new long[] {0, 1, 0, 9}, 3, 2.0);
        assertArrayEquals(new float[] {1f, -2f, 3f, 4f}, s);
    }

    @Test
    void topPKeepsTheSmallestSetAboveTheThresholdAsTransformers() {
        float[] s = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        LogitsProcessing.topP(s, 0.6); // ascending cumulative 0.2, 0.5, 1.0: only 0.2 is at most 0.4
        assertTrue(Float.isInfinite(s[2]));
        assertFalse(Float.isInfinite(s[1]));
        float[] t = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        LogitsProcessing.topP(t, 0.4);
        assertFalse(Float.isInfinite(t[0]));
        assertTrue(Float.isInfinite(t[1]) && Float.isInfinite(t[2]));
    }

    @Test
    void topKKeepsTiesAndMinLengthBansTheEnd() {
        float[] s = {1f, 3f, 3f, 2f};
        LogitsProcessing.topK(s, 2);
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, 3f, 3f, Float.NEGATIVE_INFINITY}, s);
        GenerationConfig c = resolve("{\"min_new_tokens\": 2, \"eos_token_id\": 0}");
        float[] e = {5f, 1f};
        LogitsProcessing.minLength(e, c, 10, 1);
        assertEquals(Float.NEGATIVE_INFINITY, e[0]);
        float[] f = {5f, 1f};
        LogitsProcessing.minLength(f, c, 10, 2);
        assertEquals(5f, f[0]);
    }

    @Test
    void topIndicesAreOrderedWithTiesByIndex() {
        assertArrayEquals(new int[] {3, 1, 4}, Generator.topIndices(new double[] {0, 2, -1, 5, 2, 1}, 3));
        assertArrayEquals(new int[] {1, 0}, Generator.topIndices(new double[] {1, 2}, 5));
    }
}
