package io.pgmlsidecar.it.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.TinyTaskModels;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pgml.transform on local ONNX encoder models through pgjdbc: every encoder task alone (S0), with
 * bound parameters, and over a table's rows (S2), with the answers the tiny models give by
 * construction and the JSON shapes PostgresML returns.
 */
class EncoderTasksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void models() {
        TinyTaskModels.install();
    }

    private static String task(String task, String model) {
        return "'{\"task\": \"" + task + "\", \"model\": \"" + model + "\"}'::jsonb";
    }

    private static JsonNode one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            assertEquals("jsonb", rs.getMetaData().getColumnTypeName(1));
            JsonNode n = JSON.readTree(rs.getString(1));
            assertTrue(!rs.next());
            return n;
        }
    }

    private static List<String> keys(JsonNode o) {
        List<String> k = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            k.add(it.next());
        }
        return k;
    }

    private static double softmaxFirst(double a, double b) {
        return Math.exp(a) / (Math.exp(a) + Math.exp(b));
    }

    @Test
    void textClassificationAloneWithParametersAndOverRows() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            JsonNode out = one(s, "SELECT pgml.transform(" + task("text-classification", TinyTaskModels.SENTIMENT)
                    + ", inputs => ARRAY['a good movie', 'an awful film'])");
            assertEquals(2, out.size());
            assertEquals(List.of("label", "score"), keys(out.get(0)), "jsonb orders keys by length");
            assertEquals("POSITIVE", out.get(0).get("label").asText());
            assertEquals(softmaxFirst(2, 0.5), out.get(0).get("score").asDouble(), 1e-6); // good +2 POS, movie +0.5 NEG
            assertEquals("NEGATIVE", out.get(1).get("label").asText());
            assertEquals(softmaxFirst(3, 0), out.get(1).get("score").asDouble(), 1e-6);

            // the sentiment-analysis alias, top_k and a text task name with args
            JsonNode top = one(s, "SELECT pgml.transform('{\"task\": \"sentiment-analysis\", \"model\": \"" + TinyTaskModels.SENTIMENT
                    + "\"}'::jsonb, '{\"top_k\": 2}'::jsonb, ARRAY['bad'])");
            assertEquals(1, top.size());
            assertEquals(2, top.get(0).size());
            assertEquals("NEGATIVE", top.get(0).get(0).get("label").asText());

            try (PreparedStatement ps = c.prepareStatement("SELECT pgml.transform(task => ?::jsonb, inputs => ?::text[])")) {
                ps.setString(1, "{\"task\": \"text-classification\", \"model\": \"" + TinyTaskModels.SENTIMENT + "\"}");
                ps.setArray(2, c.createArrayOf("text", new String[] {"great"}));
                for (int i = 0; i < 6; i++) { // past pgjdbc's prepare threshold: server-prepared, binary results
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals("POSITIVE", JSON.readTree(rs.getString(1)).get(0).get("label").asText());
                    }
                }
            }

            s.execute("DROP TABLE IF EXISTS it_reviews; CREATE TABLE it_reviews (id int, body text); "
                    + "INSERT INTO it_reviews VALUES (1, 'good'), (2, 'bad movie'), (3, NULL), (4, 'great film')");
            try (ResultSet rs = s.executeQuery("WITH t AS (SELECT id, pgml.transform(" + task("text-classification", TinyTaskModels.SENTIMENT)
                    + ", inputs => ARRAY[body]) AS out FROM it_reviews WHERE body IS NOT NULL) SELECT id, out -> 0 ->> 'label' FROM t ORDER BY id")) {
                List<String> labels = new ArrayList<>();
                while (rs.next()) {
                    labels.add(rs.getInt(1) + ":" + rs.getString(2));
                }
                assertEquals(List.of("1:POSITIVE", "2:NEGATIVE", "4:POSITIVE"), labels);
            }
            // S2 batches the rows' inputs; each row still gets the output of its own inputs
            try (ResultSet rs = s.executeQuery("SELECT id, pgml.transform(" + task("text-classification", TinyTaskModels.SENTIMENT)
                    + ", inputs => ARRAY[body, 'awful']) FROM it_reviews WHERE body IS NOT NULL ORDER BY id")) {
                int rows = 0;
                while (rs.next()) {
                    JsonNode row = JSON.readTree(rs.getString(2));
                    assertEquals(2, row.size());
                    assertEquals("NEGATIVE", row.get(1).get("label").asText());
                    rows++;
                }
                assertEquals(3, rows);
            }
        }
    }

    @Test
    void tokenClassificationGroupsEntities() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            JsonNode tokens = one(s, "SELECT pgml.transform(" + task("ner", TinyTaskModels.NER) + ", inputs => ARRAY['john lives in paris'])");
            assertEquals(1, tokens.size(), "nested per input");
            JsonNode john = tokens.get(0).get(0);
            assertEquals("B-PER", john.get("entity").asText());
            assertEquals("john", john.get("word").asText());
            assertEquals(0, john.get("start").asInt());
            assertEquals(4, john.get("end").asInt());
            assertEquals(1, john.get("index").asInt());
            JsonNode paris = tokens.get(0).get(1);
            assertEquals("B-LOC", paris.get("entity").asText());
            assertEquals(14, paris.get("start").asInt());

            JsonNode grouped = one(s, "SELECT pgml.transform(" + task("token-classification", TinyTaskModels.NER)
                    + ", '{\"aggregation_strategy\": \"simple\"}', ARRAY['john smith lives in new york'])");
            JsonNode groups = grouped.get(0);
            assertEquals(2, groups.size(), groups.toString());
            assertEquals("PER", groups.get(0).get("entity_group").asText());
            assertEquals("john smith", groups.get(0).get("word").asText());
            assertEquals("LOC", groups.get(1).get("entity_group").asText());
            assertEquals("new york", groups.get(1).get("word").asText());
            assertEquals(List.of("end", "word", "score", "start", "entity_group"), keys(groups.get(0)));
        }
    }

    @Test
    void questionAnsweringFillMaskZeroShotAndFeatures() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            JsonNode qa = one(s, "SELECT pgml.transform(" + task("question-answering", TinyTaskModels.QA) + ", inputs => ARRAY["
                    + "'{\"question\": \"what is the capital of france?\", \"context\": \"the capital of france is paris.\"}'], args => '{}')");
            assertTrue(qa.isObject(), "one input gives an object: " + qa);
            assertEquals("paris", qa.get("answer").asText());
            assertEquals(25, qa.get("start").asInt());
            assertEquals(30, qa.get("end").asInt());
            JsonNode qa2 = one(s, "SELECT pgml.transform(" + task("question-answering", TinyTaskModels.QA) + ", inputs => ARRAY["
                    + "'{\"question\": \"where?\", \"context\": \"john lives in paris.\"}', '{\"question\": \"where?\", \"context\": \"the river in london.\"}'])");
            assertTrue(qa2.isArray());
            assertEquals("paris", qa2.get(0).get("answer").asText());

            JsonNode mask = one(s, "SELECT pgml.transform(" + task("fill-mask", TinyTaskModels.FILL_MASK)
                    + ", inputs => ARRAY['paris is the [MASK] of france'])");
            assertEquals(5, mask.size(), "top 5 by default, flat for one input");
            assertEquals("capital", mask.get(0).get("token_str").asText());
            assertEquals("paris is the capital of france", mask.get(0).get("sequence").asText());
            assertEquals(List.of("score", "token", "sequence", "token_str"), keys(mask.get(0)));
            JsonNode mask2 = one(s, "SELECT pgml.transform(" + task("fill-mask", TinyTaskModels.FILL_MASK)
                    + ", '{\"top_k\": 2}', ARRAY['the [MASK]', 'capital of [MASK]'])");
            assertEquals(2, mask2.size());
            assertEquals(2, mask2.get(0).size());
            assertEquals("france", mask2.get(1).get(0).get("token_str").asText());

            JsonNode zero = one(s, "SELECT pgml.transform(" + task("zero-shot-classification", TinyTaskModels.NLI)
                    + ", '{\"candidate_labels\": [\"politics\", \"sport\"]}', ARRAY['the team won the game in the sport final'])");
            assertEquals("sport", zero.get(0).get("labels").get(0).asText());
            assertEquals(1.0, zero.get(0).get("scores").get(0).asDouble() + zero.get(0).get("scores").get(1).asDouble(), 1e-6);

            JsonNode features = one(s, "SELECT pgml.transform(" + task("feature-extraction", TinyTaskModels.FEATURES)
                    + ", inputs => ARRAY['good movie'])");
            assertEquals(1, features.size());
            JsonNode tokens = features.get(0).get(0);
            assertEquals(4, tokens.size(), "[CLS] good movie [SEP]");
            assertEquals(4, tokens.get(0).size(), "the tiny encoder's width");

            // the embedding models bundled with the sidecar serve feature-extraction for real
            JsonNode mini = one(s, "SELECT pgml.transform(" + task("feature-extraction", "sentence-transformers/all-MiniLM-L6-v2")
                    + ", inputs => ARRAY['hello world'])");
            JsonNode vectors = mini.get(0).get(0);
            assertEquals(4, vectors.size(), "[CLS] hello world [SEP]");
            assertEquals(384, vectors.get(0).size());
        }
    }

    /** Each encoder task over a table's rows (S2) gives every row what a call of its own (S0) gives. */
    @Test
    void everyEncoderTaskOverRowsEqualsItsCallsAlone() throws Exception {
        String[][] cases = {
            {"ner", TinyTaskModels.NER, "{\"aggregation_strategy\": \"simple\"}", "john lives in paris", "smith was in new york"},
            {"question-answering", TinyTaskModels.QA, "{}", "{\"question\": \"where?\", \"context\": \"john lives in paris.\"}",
                "{\"question\": \"what river?\", \"context\": \"the river in london.\"}"},
            {"fill-mask", TinyTaskModels.FILL_MASK, "{\"top_k\": 3}", "the [MASK] of france", "capital of [MASK]"},
            {"zero-shot-classification", TinyTaskModels.NLI, "{\"candidate_labels\": [\"sport\", \"politics\"]}",
                "the team won the game", "the election vote"},
            {"feature-extraction", TinyTaskModels.FEATURES, "{}", "good movie", "bad film"},
            {"text-classification", TinyTaskModels.SENTIMENT, "{\"top_k\": null}", "great", "awful movie"},
        };
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            for (String[] k : cases) {
                s.execute("DROP TABLE IF EXISTS it_task_inputs; CREATE TABLE it_task_inputs (id int, input text)");
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO it_task_inputs VALUES (?, ?)")) {
                    for (int i = 3; i < k.length; i++) {
                        ps.setInt(1, i);
                        ps.setString(2, k[i]);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                String call = "pgml.transform(" + task(k[0], k[1]) + ", '" + k[2] + "'::jsonb, ARRAY[input])";
                try (ResultSet rs = s.executeQuery("SELECT id, " + call + " FROM it_task_inputs ORDER BY id")) {
                    int rows = 0;
                    while (rs.next()) {
                        String input = k[rs.getInt(1)].replace("'", "''");
                        JsonNode alone = one(c.createStatement(), "SELECT pgml.transform(" + task(k[0], k[1]) + ", '" + k[2]
                                + "'::jsonb, ARRAY['" + input + "'])");
                        assertEquals(alone, JSON.readTree(rs.getString(2)), k[0] + " row " + rs.getInt(1));
                        rows++;
                    }
                    assertEquals(k.length - 3, rows, k[0]);
                }
            }
        }
    }

    @Test
    void badArgumentsAreClearErrorsAndTheSessionGoesOn() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            SQLException unknownKey = assertThrows(SQLException.class, () -> one(s, "SELECT pgml.transform("
                    + task("text-classification", TinyTaskModels.SENTIMENT) + ", '{\"topk\": 2}', ARRAY['good'])"));
            assertEquals("22023", unknownKey.getSQLState());
            assertTrue(unknownKey.getMessage().contains("topk"), unknownKey.getMessage());
            SQLException badType = assertThrows(SQLException.class, () -> one(s, "SELECT pgml.transform("
                    + task("fill-mask", TinyTaskModels.FILL_MASK) + ", '{\"top_k\": \"five\"}', ARRAY['the [MASK]'])"));
            assertEquals("22023", badType.getSQLState());
            SQLException noMask = assertThrows(SQLException.class, () -> one(s, "SELECT pgml.transform("
                    + task("fill-mask", TinyTaskModels.FILL_MASK) + ", inputs => ARRAY['no mask here'])"));
            assertEquals("22023", noMask.getSQLState());
            SQLException badQa = assertThrows(SQLException.class, () -> one(s, "SELECT pgml.transform("
                    + task("question-answering", TinyTaskModels.QA) + ", inputs => ARRAY['not json'])"));
            assertEquals("22P02", badQa.getSQLState());
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
    }
}
