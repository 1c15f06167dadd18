package io.pgmlsidecar.ml.transformers.encoder;

import static io.pgmlsidecar.ml.transformers.encoder.EncoderFixture.assertScore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.testmodels.encoders.TinyQuestionAnswering;
import io.pgmlsidecar.testmodels.encoders.TinyVocab;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** question-answering on a head whose start/end logits come from per-word tables. */
class QuestionAnsweringPipelineTest {
    static final String MODEL = "test/qa";

    @TempDir
    static Path tmp;
    static EncoderFixture fx;

    @BeforeAll
    static void setUp() throws Exception {
        fx = new EncoderFixture(tmp);
        TinyQuestionAnswering.write(fx.models.resolve(MODEL), 64);
    }

    @AfterAll
    static void tearDown() {
        fx.close();
    }

    static JsonNode qa(String question, String context) {
        ObjectNode o = EncoderFixture.JSON.createObjectNode();
        o.put("question", question);
        o.put("context", context);
        return o;
    }

    /**
     * p(start = word) and p(end = word) over the positions an answer may use: the [CLS] token (logit 0)
     * and the context's words (the question's are excluded).
     */
    static double[] probabilities(String contextWords, String word) {
        float[] s = TinyQuestionAnswering.startTable(), e = TinyQuestionAnswering.endTable();
        List<String> words = new ArrayList<>(List.of(contextWords.split(" ")));
        double zs = Math.exp(0), ze = Math.exp(0); // [CLS]
        for (String w : words) {
            zs += Math.exp(s[TinyVocab.id(w)]);
            ze += Math.exp(e[TinyVocab.id(w)]);
        }
        return new double[] {Math.exp(s[TinyVocab.id(word)]) / zs, Math.exp(e[TinyVocab.id(word)]) / ze, 1 / zs, 1 / ze};
    }

    @Test
    void answersFromTheContextNotTheQuestion() {
        String ctx = "paris is the capital of france";
        JsonNode out = fx.runNodes("question-answering", MODEL, null, List.of(qa("what is the capital of france", ctx)));
        assertTrue(out.isObject(), "one input gives an object: " + out);
        assertEquals(List.of("score", "start", "end", "answer"), TextClassificationPipelineTest.fieldNames(out));
        assertEquals("paris", out.get("answer").asText());
        assertEquals(0, out.get("start").intValue());
        assertEquals(5, out.get("end").intValue());
        double[] p = probabilities(ctx, "paris");
        assertScore(p[0] * p[1], out.get("score"));
    }

    @Test
    void maxAnswerLenAndTopK() {
        String ctx = "London and the river";
        JsonNode out = fx.runNodes("question-answering", MODEL, null, List.of(qa("where", ctx)));
        assertEquals("London and the river", out.get("answer").asText());
        assertEquals(0, out.get("start").intValue());
        assertEquals(20, out.get("end").intValue());
        double[] river = probabilities("london and the river", "river");
        double[] london = probabilities("london and the river", "london");
        assertScore(london[0] * river[1], out.get("score"));

        JsonNode shortOut = fx.runNodes("question-answering", MODEL, "{\"max_answer_len\": 2}", List.of(qa("where", ctx)));
        assertEquals("London", shortOut.get("answer").asText());
        assertScore(london[0] * london[1], shortOut.get("score"));

        JsonNode two = fx.runNodes("question-answering", MODEL, "{\"top_k\": 2}", List.of(qa("where", ctx)));
        assertTrue(two.isArray());
        assertEquals(2, two.size());
        assertEquals("London and the river", two.get(0).get("answer").asText());
        assertEquals("London", two.get(1).get("answer").asText());
    }

    @Test
    void handleImpossibleAnswerAddsTheNoAnswerScore() {
        String ctx = "paris is the capital of france";
        JsonNode out = fx.runNodes("question-answering", MODEL, "{\"handle_impossible_answer\": true, \"top_k\": 100}",
                List.of(qa("what", ctx)));
        double[] p = probabilities(ctx, "paris");
        // the first empty answer is the best: the no-answer entry (spans starting at [CLS] score 0 and sort after it)
        JsonNode empty = null;
        for (JsonNode a : out) if (empty == null && a.get("answer").asText().isEmpty()) empty = a;
        assertEquals(0, empty.get("start").intValue());
        assertEquals(0, empty.get("end").intValue());
        assertScore(p[2] * p[3], empty.get("score"));
        for (int i = 1; i < out.size(); i++) {
            assertTrue(out.get(i - 1).get("score").asDouble() >= out.get(i).get("score").asDouble(), "sorted");
        }
    }

    @Test
    void longContextsAreReadInOverlappingWindows() {
        String ctx = "the the the the the the the the the the paris";
        // max_seq_len 12 = [CLS] where [SEP] + 8 context tokens + [SEP]: windows [0, 8) and [5, 11)
        JsonNode out = fx.runNodes("question-answering", MODEL, "{\"max_seq_len\": 12, \"doc_stride\": 3}",
                List.of(qa("where", ctx)));
        assertEquals("paris", out.get("answer").asText());
        assertEquals(40, out.get("start").intValue());
        assertEquals(45, out.get("end").intValue());
        double[] p = probabilities("the the the the the paris", "paris"); // the second window's context
        assertScore(p[0] * p[1], out.get("score"));

        var e = assertThrows(InvalidArgumentsException.class, () -> fx.runNodes("question-answering", MODEL,
                "{\"max_seq_len\": 12, \"doc_stride\": 8}", List.of(qa("where", ctx))));
        assertTrue(e.getMessage().contains("'doc_stride'"), e.getMessage());
    }

    @Test
    void severalInputsGiveAnArrayAndMatchOneByOne() {
        List<JsonNode> inputs = List.of(qa("what is the capital of france", "paris is the capital of france"),
                new TextNode("{\"question\": \"where\", \"context\": \"London and the river\"}"),
                qa("where", "the the the the the the the the the the paris"),
                qa("who", "France"));
        JsonNode batch = fx.runNodes("question-answering", MODEL, "{\"max_seq_len\": 14, \"doc_stride\": 3, \"batch_size\": 3}",
                inputs);
        assertEquals(4, batch.size());
        for (int i = 0; i < inputs.size(); i++) {
            assertEquals(fx.runNodes("question-answering", MODEL, "{\"max_seq_len\": 14, \"doc_stride\": 3}",
                    List.of(inputs.get(i))), batch.get(i));
        }
        assertEquals("France", batch.get(3).get("answer").asText());
    }

    @Test
    void badInputsAndArguments() {
        var e = assertThrows(InvalidArgumentsException.class,
                () -> fx.run("question-answering", MODEL, null, "where is paris"));
        assertTrue(e.getMessage().contains("question"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.runNodes("question-answering", MODEL,
                "{\"max_answer_length\": 3}", List.of(qa("where", "paris"))));
        assertTrue(e.getMessage().contains("'max_answer_length'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.runNodes("question-answering", MODEL,
                "{\"top_k\": 0}", List.of(qa("where", "paris"))));
        assertTrue(e.getMessage().contains("'top_k'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.runNodes("question-answering", MODEL,
                null, List.of(qa("where", ""))));
        assertTrue(e.getMessage().contains("context"), e.getMessage());
    }
}
