package io.pgmlsidecar.ml.transformers.encoder;

import static io.pgmlsidecar.ml.transformers.encoder.EncoderFixture.assertScore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.testmodels.encoders.TinyNer;
import io.pgmlsidecar.testmodels.encoders.TinyVocab;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** token-classification on a tagger whose per-token label scores come from a per-word table. */
class TokenClassificationPipelineTest {
    static final String MODEL = "test/ner";
    static final String PEOPLE = "John Smith lives in New York";
    static final String PIECES = "Johnson lives in Berlin"; // john ##son ... ber ##lin

    @TempDir
    static Path tmp;
    static EncoderFixture fx;

    @BeforeAll
    static void setUp() throws Exception {
        fx = new EncoderFixture(tmp);
        TinyNer.write(fx.models.resolve(MODEL), 64);
    }

    @AfterAll
    static void tearDown() {
        fx.close();
    }

    /** Softmax of a token's table row. */
    static double[] p(String token) {
        float[] row = TinyNer.table()[TinyVocab.id(token)];
        double[] d = new double[row.length];
        for (int i = 0; i < d.length; i++) d[i] = row[i];
        return EncoderFixture.softmax(d);
    }

    static void assertToken(JsonNode e, String entity, double score, int index, String word, int start, int end) {
        assertEquals(List.of("entity", "score", "index", "word", "start", "end"), TextClassificationPipelineTest.fieldNames(e));
        assertEquals(entity, e.get("entity").asText());
        assertScore(score, e.get("score"));
        assertEquals(index, e.get("index").intValue());
        assertEquals(word, e.get("word").asText());
        assertEquals(start, e.get("start").intValue());
        assertEquals(end, e.get("end").intValue());
        assertTrue(e.get("start").isInt() && e.get("index").isInt());
    }

    static void assertGroup(JsonNode g, String group, double score, String word, int start, int end) {
        assertEquals(List.of("entity_group", "score", "word", "start", "end"), TextClassificationPipelineTest.fieldNames(g));
        assertEquals(group, g.get("entity_group").asText());
        assertScore(score, g.get("score"));
        assertEquals(word, g.get("word").asText());
        assertEquals(start, g.get("start").intValue());
        assertEquals(end, g.get("end").intValue());
    }

    @Test
    void everyNonOTokenWithOffsets() {
        JsonNode out = fx.run("ner", MODEL, null, PEOPLE);
        assertEquals(1, out.size());
        JsonNode tokens = out.get(0);
        assertEquals(4, tokens.size());
        assertToken(tokens.get(0), "B-PER", p("john")[1], 1, "john", 0, 4);
        assertToken(tokens.get(1), "I-PER", p("smith")[2], 2, "smith", 5, 10);
        assertToken(tokens.get(2), "B-LOC", p("new")[3], 5, "new", 20, 23);
        assertToken(tokens.get(3), "I-LOC", p("york")[4], 6, "york", 24, 28);
        assertEquals("New", PEOPLE.substring(20, 23));
    }

    @Test
    void subwordTokensAreReportedAsTheyAre() {
        JsonNode tokens = fx.run("token-classification", MODEL, null, PIECES).get(0);
        assertEquals(3, tokens.size()); // ##lin is O
        assertToken(tokens.get(0), "B-PER", p("john")[1], 1, "john", 0, 4);
        assertToken(tokens.get(1), "I-PER", p("##son")[2], 2, "##son", 4, 7);
        assertToken(tokens.get(2), "B-LOC", p("ber")[3], 5, "ber", 17, 20);
    }

    @Test
    void simpleGroupsBIRuns() {
        JsonNode groups = fx.run("ner", MODEL, "{\"aggregation_strategy\": \"simple\"}", PEOPLE).get(0);
        assertEquals(2, groups.size());
        assertGroup(groups.get(0), "PER", (p("john")[1] + p("smith")[2]) / 2, "john smith", 0, 10);
        assertGroup(groups.get(1), "LOC", (p("new")[3] + p("york")[4]) / 2, "new york", 20, 28);
        // the deprecated flag means the same
        assertEquals(groups, fx.run("ner", MODEL, "{\"grouped_entities\": true}", PEOPLE).get(0));
        JsonNode pieces = fx.run("ner", MODEL, "{\"aggregation_strategy\": \"simple\"}", PIECES).get(0);
        assertGroup(pieces.get(0), "PER", (p("john")[1] + p("##son")[2]) / 2, "johnson", 0, 7);
        assertGroup(pieces.get(1), "LOC", p("ber")[3], "ber", 17, 20);
    }

    @Test
    void wordStrategiesFuseSubwords() {
        JsonNode first = fx.run("ner", MODEL, "{\"aggregation_strategy\": \"first\"}", PIECES).get(0);
        assertEquals(2, first.size());
        assertGroup(first.get(0), "PER", p("john")[1], "johnson", 0, 7);
        assertGroup(first.get(1), "LOC", p("ber")[3], "berlin", 17, 23);

        // max: "berlin" takes the label of its most confident piece, ##lin's O, and disappears
        JsonNode max = fx.run("ner", MODEL, "{\"aggregation_strategy\": \"MAX\"}", PIECES).get(0);
        assertEquals(1, max.size());
        assertGroup(max.get(0), "PER", p("john")[1], "johnson", 0, 7);

        // average: mean of the pieces' distributions
        double[] john = p("john"), son = p("##son"), ber = p("ber"), lin = p("##lin");
        double[] avgJohnson = new double[5], avgBerlin = new double[5];
        for (int i = 0; i < 5; i++) {
            avgJohnson[i] = (john[i] + son[i]) / 2;
            avgBerlin[i] = (ber[i] + lin[i]) / 2;
        }
        int bestBerlin = argmax(avgBerlin);
        JsonNode avg = fx.run("ner", MODEL, "{\"aggregation_strategy\": \"average\"}", PIECES).get(0);
        assertEquals(argmax(avgJohnson), 1);
        assertGroup(avg.get(0), "PER", avgJohnson[1], "johnson", 0, 7);
        assertEquals(bestBerlin == 0 ? 1 : 2, avg.size());
    }

    @Test
    void ignoreLabels() {
        JsonNode all = fx.run("ner", MODEL, "{\"ignore_labels\": []}", PEOPLE).get(0);
        assertEquals(6, all.size());
        assertToken(all.get(2), "O", p("lives")[0], 3, "lives", 11, 16);
        JsonNode noPer = fx.run("ner", MODEL, "{\"ignore_labels\": [\"O\", \"PER\"], \"aggregation_strategy\": \"simple\"}",
                PEOPLE).get(0);
        assertEquals(1, noPer.size());
        assertEquals("LOC", noPer.get(0).get("entity_group").asText());
    }

    @Test
    void batchEqualsOneByOne() {
        String[] inputs = {PEOPLE, "Paris", PIECES, "the film was good", "London and Paris and New York"};
        for (String strategy : List.of("none", "simple", "first")) {
            String args = "{\"aggregation_strategy\": \"" + strategy + "\", \"batch_size\": 3}";
            JsonNode batch = fx.run("ner", MODEL, args, inputs);
            assertEquals(inputs.length, batch.size());
            for (int i = 0; i < inputs.length; i++) assertEquals(fx.run("ner", MODEL, args, inputs[i]).get(0), batch.get(i));
        }
    }

    @Test
    void badArguments() {
        var e = assertThrows(InvalidArgumentsException.class,
                () -> fx.run("ner", MODEL, "{\"aggregation_strategy\": \"sum\"}", PEOPLE));
        assertTrue(e.getMessage().contains("'aggregation_strategy'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.run("ner", MODEL, "{\"aggregation\": \"simple\"}", PEOPLE));
        assertTrue(e.getMessage().contains("'aggregation'"), e.getMessage());
        e = assertThrows(InvalidArgumentsException.class, () -> fx.run("ner", MODEL, "{\"ignore_labels\": 3}", PEOPLE));
        assertTrue(e.getMessage().contains("'ignore_labels'"), e.getMessage());
    }

    static int argmax(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
        return b;
    }

    /** A text longer than the model reads: cut without stride, read whole in overlapping windows with it. */
    @Test
    void strideReadsTextsLongerThanTheModel() {
        // 10 words, then "john", "paris": 12 text tokens, more than a window of max_length 8 holds (6 + [CLS] [SEP])
        String text = "a a a a a a a a a a john paris";
        String args = "{\"aggregation_strategy\": \"simple\", \"max_length\": 8}";
        JsonNode cut = fx.run("ner", MODEL, args, text).get(0);
        assertEquals(0, cut.size(), "the entities after the first 6 words are cut off: " + cut);

        JsonNode whole = fx.run("ner", MODEL, "{\"aggregation_strategy\": \"simple\", \"max_length\": 8, \"stride\": 2}", text).get(0);
        assertEquals(2, whole.size(), whole.toString());
        assertGroup(whole.get(0), "PER", p("john")[1], "john", 20, 24);
        assertGroup(whole.get(1), "LOC", p("paris")[3], "paris", 25, 30);
        // windows overlap by 2 tokens: an entity in the overlap is reported once
        JsonNode overlap = fx.run("ner", MODEL, "{\"aggregation_strategy\": \"first\", \"max_length\": 8, \"stride\": 3}",
                "a a a a john a a a a a paris").get(0);
        assertEquals(List.of("john", "paris"), List.of(overlap.get(0).get("word").asText(), overlap.get(1).get("word").asText()));
        assertEquals(2, overlap.size(), overlap.toString());
    }

    @Test
    void strideNeedsAnAggregationAndRoomInTheWindow() {
        InvalidArgumentsException none = assertThrows(InvalidArgumentsException.class,
                () -> fx.run("ner", MODEL, "{\"stride\": 2}", PEOPLE));
        assertTrue(none.getMessage().contains("stride"), none.getMessage());
        InvalidArgumentsException big = assertThrows(InvalidArgumentsException.class,
                () -> fx.run("ner", MODEL, "{\"aggregation_strategy\": \"simple\", \"max_length\": 8, \"stride\": 6}", PEOPLE));
        assertTrue(big.getMessage().contains("stride"), big.getMessage());
    }
}
