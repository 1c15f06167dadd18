package io.pgmlsidecar.ml.transformers.encoder;

import static io.pgmlsidecar.ml.transformers.encoder.EncoderFixture.assertScore;
import static io.pgmlsidecar.ml.transformers.encoder.EncoderFixture.sigmoid;
import static io.pgmlsidecar.ml.transformers.encoder.EncoderFixture.softmax;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.testmodels.encoders.TinySentimentClassifier;
import io.pgmlsidecar.testmodels.encoders.TinyVocab;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** text-classification on a classifier whose logits are the sum of per-word rows of a known table. */
class TextClassificationPipelineTest {
    static final String MODEL = "test/sentiment", MULTI = "test/sentiment-multi", SHORT = "test/sentiment-short";

    @TempDir
    static Path tmp;
    static EncoderFixture fx;

    @BeforeAll
    static void setUp() throws Exception {
        fx = new EncoderFixture(tmp);
        TinySentimentClassifier.write(fx.models.resolve(MODEL), null, 64);
        TinySentimentClassifier.write(fx.models.resolve(MULTI), "multi_label_classification", 64);
        TinySentimentClassifier.write(fx.models.resolve(SHORT), null, 6);
    }

    @AfterAll
    static void tearDown() {
        fx.close();
    }

    /** Logits of a lower-case sentence of vocabulary words, summed from the model's table. */
    static double[] logits(String sentence) {
        float[][] table = TinySentimentClassifier.table();
        double[] l = new double[2];
        for (String w : sentence.split(" ")) {
            for (int k = 0; k < 2; k++) l[k] += table[TinyVocab.id(w)][k];
        }
        return l;
    }

    @Test
    void oneLabelledScorePerInputByDefault() {
        JsonNode out = fx.run("sentiment-analysis", MODEL, null, "good movie", "awful film");
        assertEquals(2, out.size());
        assertEquals(List.of("label", "score"), fieldNames(out.get(0)));
        assertEquals("POSITIVE", out.get(0).get("label").asText());
        assertScore(softmax(logits("good movie"))[1], out.get(0).get("score"));
        assertEquals("NEGATIVE", out.get(1).get("label").asText());
        assertScore(softmax(logits("awful film"))[0], out.get(1).get("score"));
    }

    @Test
    void topKGivesSortedListsPerInput() {
        JsonNode out = fx.run("text-classification", MODEL, "{\"top_k\": 1}", "good movie");
        assertTrue(out.get(0).isArray());
        assertEquals(1, out.get(0).size());
        JsonNode all = fx.run("text-classification", MODEL, "{\"top_k\": 2}", "bad movie");
        double[] p = softmax(logits("bad movie"));
        assertEquals("NEGATIVE", all.get(0).get(0).get("label").asText());
        assertScore(p[0], all.get(0).get(0).get("score"));
        assertEquals("POSITIVE", all.get(0).get(1).get("label").asText());
        assertScore(p[1], all.get(0).get(1).get("score"));
        assertEquals(all, fx.run("text-classification", MODEL, "{\"top_k\": null}", "bad movie"));
    }

    @Test
    void returnAllScoresKeepsLabelOrder() {
        JsonNode out = fx.run("text-classification", MODEL, "{\"return_all_scores\": true}", "great film");
        assertEquals("NEGATIVE", out.get(0).get(0).get("label").asText());
        assertEquals("POSITIVE", out.get(0).get(1).get("label").asText());
    }

    @Test
    void functionToApply() {
        double[] l = logits("good movie");
        JsonNode none = fx.run("text-classification", MODEL, "{\"function_to_apply\": \"none\"}", "good movie");
        assertScore(l[1], none.get(0).get("score"));
        JsonNode sig = fx.run("text-classification", MODEL, "{\"function_to_apply\": \"SIGMOID\", \"top_k\": 2}", "good movie");
        assertScore(sigmoid(l[1]), sig.get(0).get(0).get("score"));
        assertScore(sigmoid(l[0]), sig.get(0).get(1).get("score"));
        // multi-label models default to sigmoid
        JsonNode multi = fx.run("text-classification", MULTI, null, "good movie");
        assertScore(sigmoid(l[1]), multi.get(0).get("score"));
    }

    @Test
    void textPairsReachTheModel() {
        JsonNode in = EncoderFixture.json("{\"text\": \"good\", \"text_pair\": \"awful\"}");
        JsonNode out = fx.runNodes("text-classification", MODEL, "{\"top_k\": 2}", List.of(in));
        // both segments are summed: {3, 2}
        assertScore(softmax(3, 2)[0], out.get(0).get(0).get("score"));
    }

    @Test
    void overLongInputsAreTruncatedToTheModelsMaxLength() {
        // max length 6: [CLS] + 4 words + [SEP]; the final "awful"s are cut
        JsonNode out = fx.run("text-classification", SHORT, "{\"function_to_apply\": \"none\", \"top_k\": 2}",
                "good good good good awful awful");
        assertScore(8, out.get(0).get(0).get("score"));
        assertEquals("POSITIVE", out.get(0).get(0).get("label").asText());
        JsonNode cut = fx.run("text-classification", MODEL, "{\"function_to_apply\": \"none\", \"max_length\": 4}",
                "good awful awful");
        // a pair is cut longest first: [CLS] good good [SEP] awful [SEP] → {3, 4}
        JsonNode pair = fx.runNodes("text-classification", SHORT, "{\"function_to_apply\": \"none\", \"top_k\": 2}",
                List.of(EncoderFixture.json("{\"text\": \"good good good\", \"text_pair\": \"awful\"}")));
        assertScore(4, pair.get(0).get(0).get("score"));
        assertScore(3, pair.get(0).get(1).get("score"));
        // [CLS] good awful [SEP]: NEGATIVE 3 (not 6: the second "awful" is cut)
        assertEquals("NEGATIVE", cut.get(0).get("label").asText());
        assertScore(3, cut.get(0).get("score"));
    }

    @Test
    void batchEqualsOneByOne() {
        String[] inputs = {"good", "bad movie film awful", "great good good", "film", "awful awful good bad great movie"};
        JsonNode batch = fx.run("text-classification", MODEL, "{\"top_k\": 2, \"batch_size\": 2}", inputs);
        for (int i = 0; i < inputs.length; i++) {
            assertEquals(fx.run("text-classification", MODEL, "{\"top_k\": 2}", inputs[i]).get(0), batch.get(i));
        }
    }

    @Test
    void badArguments() {
        var e = assertThrows(InvalidArgumentsException.class,
                () -> fx.run("text-classification", MODEL, "{\"topk\": 2}", "good"));
        assertTrue(e.getMessage().contains("'topk'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class,
                () -> fx.run("text-classification", MODEL, "{\"top_k\": \"two\"}", "good"));
        assertTrue(e.getMessage().contains("'top_k'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class,
                () -> fx.run("text-classification", MODEL, "{\"function_to_apply\": \"relu\"}", "good"));
        assertTrue(e.getMessage().contains("'function_to_apply'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.runNodes("text-classification", MODEL, null,
                List.of(EncoderFixture.json("{\"text\": \"good\", \"pair\": \"bad\"}"))));
        assertTrue(e.getMessage().contains("'pair'"), e.getMessage());
    }

    static List<String> fieldNames(JsonNode o) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
