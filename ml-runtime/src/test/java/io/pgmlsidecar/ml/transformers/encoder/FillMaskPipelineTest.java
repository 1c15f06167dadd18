package io.pgmlsidecar.ml.transformers.encoder;

import static io.pgmlsidecar.ml.transformers.encoder.EncoderFixture.assertScore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.testmodels.encoders.TinyMaskedLm;
import io.pgmlsidecar.testmodels.encoders.TinyVocab;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fill-mask on a head that predicts a token from the previous one ("the" → capital, city, river). */
class FillMaskPipelineTest {
    static final String MODEL = "test/mlm";

    @TempDir
    static Path tmp;
    static EncoderFixture fx;

    @BeforeAll
    static void setUp() throws Exception {
        fx = new EncoderFixture(tmp);
        TinyMaskedLm.write(fx.models.resolve(MODEL), 64);
    }

    @AfterAll
    static void tearDown() {
        fx.close();
    }

    /** p(token | previous word) over the whole vocabulary. */
    static double p(String previous, String token) {
        float[] row = TinyMaskedLm.next()[TinyVocab.id(previous)];
        double z = 0;
        for (float v : row) z += Math.exp(v);
        return Math.exp(row[TinyVocab.id(token)]) / z;
    }

    static void assertPrediction(JsonNode o, String token, double score, String sequence) {
        assertEquals(List.of("score", "token", "token_str", "sequence"), TextClassificationPipelineTest.fieldNames(o));
        assertScore(score, o.get("score"));
        assertTrue(o.get("token").isIntegralNumber());
        assertEquals(TinyVocab.id(token), o.get("token").intValue());
        assertEquals(token, o.get("token_str").asText());
        assertEquals(sequence, o.get("sequence").asText());
    }

    @Test
    void topFiveByDefault() {
        JsonNode out = fx.run("fill-mask", MODEL, null, "The [MASK] of France");
        assertTrue(out.isArray() && out.get(0).isObject(), "one input gives its list: " + out);
        assertEquals(5, out.size());
        assertPrediction(out.get(0), "capital", p("the", "capital"), "the capital of france");
        assertPrediction(out.get(1), "city", p("the", "city"), "the city of france");
        assertPrediction(out.get(2), "river", p("the", "river"), "the river of france");
    }

    @Test
    void topKAndTargets() {
        JsonNode two = fx.run("fill-mask", MODEL, "{\"top_k\": 2}", "the [MASK] of france");
        assertEquals(2, two.size());
        JsonNode targets = fx.run("fill-mask", MODEL, "{\"targets\": [\"paris\", \"city\"]}", "the [MASK] of france");
        assertEquals(2, targets.size());
        assertPrediction(targets.get(0), "city", p("the", "city"), "the city of france");
        assertPrediction(targets.get(1), "paris", p("the", "paris"), "the paris of france");
        JsonNode one = fx.run("fill-mask", MODEL, "{\"targets\": \"france\"}", "of [MASK]");
        assertPrediction(one.get(0), "france", p("of", "france"), "of france");
    }

    @Test
    void severalInputsNestPerInputAndMatchOneByOne() {
        String[] inputs = {"the [MASK] of france", "paris is a city of [MASK] .", "[MASK]", "the river the [MASK]"};
        JsonNode batch = fx.run("fill-mask", MODEL, "{\"top_k\": 3, \"batch_size\": 2}", inputs);
        assertEquals(4, batch.size());
        for (int i = 0; i < inputs.length; i++) {
            assertEquals(fx.run("fill-mask", MODEL, "{\"top_k\": 3}", inputs[i]), batch.get(i));
        }
        assertEquals("france", batch.get(1).get(0).get("token_str").asText());
    }

    @Test
    void exactlyOneMask() {
        var e = assertThrows(InvalidArgumentsException.class, () -> fx.run("fill-mask", MODEL, null, "the capital"));
        assertTrue(e.getMessage().contains("[MASK]") && e.getMessage().contains("found 0"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.run("fill-mask", MODEL, null, "[MASK] [MASK]"));
        assertTrue(e.getMessage().contains("found 2"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.run("fill-mask", MODEL, "{\"top\": 2}", "[MASK]"));
        assertTrue(e.getMessage().contains("'top'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.run("fill-mask", MODEL, "{\"targets\": [1]}", "[MASK]"));
        assertTrue(e.getMessage().contains("'targets'"), e.getMessage());
    }
}
