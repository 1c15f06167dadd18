package io.pgmlsidecar.ml.transformers.encoder;

import static io.pgmlsidecar.ml.transformers.encoder.EncoderFixture.assertScore;
import static io.pgmlsidecar.ml.transformers.encoder.EncoderFixture.softmax;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.testmodels.encoders.TinyNli;
import io.pgmlsidecar.testmodels.encoders.TinySentimentClassifier;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zero-shot-classification on an NLI model whose entailment logit is 2·overlap − 1 and contradiction
 * logit 1 − 2·overlap, overlap = content words shared by premise and hypothesis.
 */
class ZeroShotClassificationPipelineTest {
    static final String MODEL = "test/nli", NOT_NLI = "test/not-nli";
    static final String TEXT = "the team won the game";

    @TempDir
    static Path tmp;
    static EncoderFixture fx;

    @BeforeAll
    static void setUp() throws Exception {
        fx = new EncoderFixture(tmp);
        TinyNli.write(fx.models.resolve(MODEL), 64);
        TinySentimentClassifier.write(fx.models.resolve(NOT_NLI), null, 64);
    }

    @AfterAll
    static void tearDown() {
        fx.close();
    }

    @Test
    void labelsRankedBySoftmaxOfEntailment() {
        // "game" and "team" appear in the text (overlap 1 → entailment 1), "election" does not (→ −1)
        JsonNode out = fx.run("zero-shot-classification", MODEL, "{\"candidate_labels\": \"election, game,team\"}", TEXT);
        assertEquals(1, out.size());
        JsonNode r = out.get(0);
        assertEquals(List.of("sequence", "labels", "scores"), TextClassificationPipelineTest.fieldNames(r));
        assertEquals(TEXT, r.get("sequence").asText());
        double[] p = softmax(-1, 1, 1);
        // a tie is ranked as transformers' reversed argsort ranks it: the later label first
        assertEquals(List.of("team", "game", "election"), strings(r.get("labels")));
        assertScore(p[2], r.get("scores").get(0));
        assertScore(p[1], r.get("scores").get(1));
        assertScore(p[0], r.get("scores").get(2));
    }

    @Test
    void multiLabelScoresEachLabelAlone() {
        JsonNode r = fx.run("zero-shot-classification", MODEL,
                "{\"candidate_labels\": [\"election\", \"game\"], \"multi_label\": true}", TEXT).get(0);
        assertEquals(List.of("game", "election"), strings(r.get("labels")));
        assertScore(softmax(-1, 1)[1], r.get("scores").get(0)); // [contradiction, entailment] for "game"
        assertScore(softmax(1, -1)[1], r.get("scores").get(1));
        // one label is always scored on its own
        JsonNode single = fx.run("zero-shot-classification", MODEL, "{\"candidate_labels\": [\"vote\"]}", TEXT).get(0);
        assertScore(softmax(1, -1)[1], single.get("scores").get(0));
    }

    @Test
    void hypothesisTemplate() {
        // the template's own content word "sport" now overlaps for every label once the text has it
        JsonNode r = fx.run("zero-shot-classification", MODEL,
                "{\"candidate_labels\": [\"game\", \"vote\"], \"hypothesis_template\": \"sport {}\", \"multi_label\": true}",
                "sport game").get(0);
        assertEquals(List.of("game", "vote"), strings(r.get("labels")));
        assertScore(softmax(-3, 3)[1], r.get("scores").get(0)); // overlap 2
        assertScore(softmax(-1, 1)[1], r.get("scores").get(1)); // overlap 1
    }

    @Test
    void severalInputsMatchOneByOne() {
        String[] inputs = {TEXT, "a vote in the election", "politics and sport", "film"};
        String args = "{\"candidate_labels\": \"game, election, vote, sport, politics\", \"batch_size\": 4}";
        JsonNode batch = fx.run("zero-shot-classification", MODEL, args, inputs);
        assertEquals(4, batch.size());
        for (int i = 0; i < inputs.length; i++) {
            assertEquals(fx.run("zero-shot-classification", MODEL, args, inputs[i]).get(0), batch.get(i));
        }
    }

    @Test
    void badArgumentsAndModels() {
        var e = assertThrows(InvalidArgumentsException.class, () -> fx.run("zero-shot-classification", MODEL, null, TEXT));
        assertTrue(e.getMessage().contains("'candidate_labels'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.run("zero-shot-classification", MODEL,
                "{\"candidate_labels\": \"game\", \"hypothesis_template\": \"no slot\"}", TEXT));
        assertTrue(e.getMessage().contains("'hypothesis_template'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.run("zero-shot-classification", MODEL,
                "{\"candidate_labels\": \"game\", \"multi_label\": \"yes\"}", TEXT));
        assertTrue(e.getMessage().contains("'multi_label'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.run("zero-shot-classification", MODEL,
                "{\"candidate_labels\": \" , \"}", TEXT));
        assertTrue(e.getMessage().contains("'candidate_labels'"), e.getMessage());
        var m = assertThrows(ModelFormatException.class, () -> fx.run("zero-shot-classification", NOT_NLI,
                "{\"candidate_labels\": \"game\"}", TEXT));
        assertTrue(m.getMessage().contains("entail"), m.getMessage());
    }

    static List<String> strings(JsonNode a) {
        List<String> out = new java.util.ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
