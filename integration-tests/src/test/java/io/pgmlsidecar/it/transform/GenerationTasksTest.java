package io.pgmlsidecar.it.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.TinyTaskModels;
import io.pgmlsidecar.ml.transformers.TransformRequest;
import io.pgmlsidecar.ml.transformers.TransformTask;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * pgml.transform on the tiny generative models through pgjdbc: text-generation alone and over a
 * table's rows (S2), translation, summarization, text2text and conversational, with the texts the
 * models give by construction (TinyCausalLm's bigram table, TinySeq2Seq's word-by-word dictionary)
 * and the JSON shapes PostgresML returns.
 */
class GenerationTasksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** "one" … "ten" each continue with the next number (logit 5), "ten" with the end token. */
    private static final String COUNTED = "one two three four five six seven eight nine ten";

    @BeforeAll
    static void models() {
        TinyTaskModels.install();
    }

    static String task(String task, String model) {
        return "'{\"task\": \"" + task + "\", \"model\": \"" + model + "\"}'::jsonb";
    }

    static JsonNode one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            assertEquals("jsonb", rs.getMetaData().getColumnTypeName(1));
            JsonNode n = JSON.readTree(rs.getString(1));
            assertFalse(rs.next());
            return n;
        }
    }

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    /** The same call on the sidecars' TransformService in this JVM: what the wire must carry unchanged. */
    static JsonNode inProcess(String task, String model, String args, String... inputs) throws Exception {
        List<JsonNode> in = new ArrayList<>();
        for (String i : inputs) in.add(TextNode.valueOf(i));
        return TestCluster.transforms().transform(new TransformRequest(TransformTask.parse(task), model, json(args), in));
    }

    @Test
    void textGenerationAloneContinuesThePrompt() throws Exception {
        String lm = task("text-generation", TinyTaskModels.CAUSAL_LM);
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            JsonNode out = one(s, "SELECT pgml.transform(" + lm + ", inputs => ARRAY['one two'])");
            // outer per input, inner per returned sequence; the prompt is part of the text by default
            assertEquals(json("[[{\"generated_text\": \"" + COUNTED + "\"}]]"), out);

            JsonNode continuation = one(s, "SELECT pgml.transform(" + lm + ", '{\"return_full_text\": false}', ARRAY['one two'])");
            assertEquals(" three four five six seven eight nine ten", continuation.get(0).get(0).get("generated_text").asText());

            JsonNode three = one(s, "SELECT pgml.transform(" + lm + ", '{\"max_new_tokens\": 3}', ARRAY['one'])");
            assertEquals("one two three four", three.get(0).get(0).get("generated_text").asText());

            // after "go" left (2.0) beats right (1.6), but "right up" (5.0) beats "left down" (0.6): beams find it
            JsonNode greedy = one(s, "SELECT pgml.transform(" + lm + ", '{}', ARRAY['go'])");
            assertEquals("go left down", greedy.get(0).get(0).get("generated_text").asText());
            JsonNode beams = one(s, "SELECT pgml.transform(" + lm + ", '{\"num_beams\": 3, \"num_return_sequences\": 2}', ARRAY['go', 'one two'])");
            assertEquals(2, beams.size(), "one list per input");
            assertEquals(2, beams.get(0).size(), "num_return_sequences per input");
            assertEquals(2, beams.get(1).size());
            assertEquals("go right up", beams.get(0).get(0).get("generated_text").asText());
            assertEquals("go left down", beams.get(0).get(1).get("generated_text").asText());
            assertEquals(COUNTED, beams.get(1).get(0).get("generated_text").asText());

            JsonNode sampled = one(s, "SELECT pgml.transform(" + lm + ", '{\"do_sample\": true, \"num_return_sequences\": 3, \"seed\": 7}', ARRAY['go'])");
            assertEquals(3, sampled.get(0).size());
            assertEquals(inProcess("text-generation", TinyTaskModels.CAUSAL_LM, "{\"do_sample\": true, \"num_return_sequences\": 3, \"seed\": 7}", "go"),
                    sampled, "a seeded sample is the same through the sidecar as in process");
        }
    }

    @Test
    void textGenerationOverRowsGivesEachRowItsOwnContinuation() throws Exception {
        String lm = task("text-generation", TinyTaskModels.CAUSAL_LM);
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_prompts; CREATE TABLE it_prompts (id int, prompt text); "
                    + "INSERT INTO it_prompts VALUES (1, 'one two'), (2, 'go'), (3, 'la'), (4, 'hi'), (5, 'eight')");
            Map<Integer, String> got = new LinkedHashMap<>();
            try (ResultSet rs = s.executeQuery("SELECT id, pgml.transform(" + lm + ", '{}', ARRAY[prompt]) FROM it_prompts ORDER BY id")) {
                while (rs.next()) {
                    JsonNode row = JSON.readTree(rs.getString(2));
                    assertEquals(1, row.size(), "each row has the shape of a call of its own");
                    got.put(rs.getInt(1), row.get(0).get(0).get("generated_text").asText());
                }
            }
            // rows are batched (padded) in one generation: padding must not change any row's text.
            // "la" repeats while it has been seen at most 3 times (3 - 0.3·n vs di 2), then "di" ends.
            assertEquals(Map.of(1, COUNTED, 2, "go left down", 3, "la la la la di", 4, "hi there", 5, "eight nine ten"), got);

            // a call inside an expression is refused (0A000, see TransformErrorsTest); a CTE column is the way
            try (ResultSet rs = s.executeQuery("WITH t AS (SELECT id, pgml.transform(" + lm + ", '{\"max_new_tokens\": 1, \"return_full_text\": false}', "
                    + "ARRAY[prompt, prompt || ' one']) AS out FROM it_prompts WHERE id <= 2) SELECT id, out -> 1 -> 0 ->> 'generated_text' FROM t ORDER BY id")) {
                assertTrue(rs.next());
                assertEquals(" two", rs.getString(2), "the second input of row 1 ends in 'one'");
                assertTrue(rs.next());
                assertEquals(" two", rs.getString(2));
                assertFalse(rs.next());
            }
        }
    }

    @Test
    void encoderDecoderTasks() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            assertEquals(json("[{\"translation_text\": \"le chien est petit\"}]"),
                    one(s, "SELECT pgml.transform(" + task("translation_en_to_fr", TinyTaskModels.SEQ2SEQ) + ", inputs => ARRAY['the dog is small'])"));
            assertEquals(json("[{\"translation_text\": \"le chat\"}, {\"translation_text\": \"le chien mange poisson\"}]"),
                    one(s, "SELECT pgml.transform(" + task("translation_en_to_fr", TinyTaskModels.SEQ2SEQ) + ", inputs => ARRAY['the cat', 'the dog eats fish'])"));
            assertEquals(json("[{\"summary_text\": \"le chat\"}]"),
                    one(s, "SELECT pgml.transform(" + task("summarization", TinyTaskModels.SEQ2SEQ) + ", inputs => ARRAY['the cat'])"));
            // past the source the end token wins (0.5) unless min_length bans it, then "etc" (0.3) follows
            assertEquals(json("[{\"summary_text\": \"le chat etc\"}]"),
                    one(s, "SELECT pgml.transform(" + task("summarization", TinyTaskModels.SEQ2SEQ) + ", '{\"min_length\": 4}', ARRAY['the cat'])"));
            assertEquals(json("[{\"generated_text\": \"le chat mange poisson\"}]"),
                    one(s, "SELECT pgml.transform(" + task("text2text-generation", TinyTaskModels.SEQ2SEQ) + ", inputs => ARRAY['the cat eats fish'])"));

            s.execute("DROP TABLE IF EXISTS it_english; CREATE TABLE it_english (id int, en text); "
                    + "INSERT INTO it_english VALUES (1, 'the cat is small'), (2, 'fish'), (3, 'the dog eats the fish')");
            List<String> french = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("WITH t AS (SELECT id, pgml.transform(" + task("translation_en_to_fr", TinyTaskModels.SEQ2SEQ)
                    + ", inputs => ARRAY[en]) AS out FROM it_english) SELECT out -> 0 ->> 'translation_text' FROM t ORDER BY id")) {
                while (rs.next()) french.add(rs.getString(1));
            }
            assertEquals(List.of("le chat est petit", "poisson", "le chien mange le poisson"), french);
        }
    }

    @Test
    void conversationalWithJsonbMessages() throws Exception {
        String chat = task("conversational", TinyTaskModels.CAUSAL_LM);
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            // the chat template ends the prompt with " assistant:", and ":" continues "hel" "lo" " world" </s>
            assertEquals(json("[\"hello world\"]"), one(s, "SELECT pgml.transform(" + chat
                    + ", inputs => ARRAY['{\"role\": \"user\", \"content\": \"hi\"}'::jsonb])"));
            assertEquals(json("[\"hello world\"]"), one(s, "SELECT pgml.transform(" + chat + ", '{}'::jsonb, ARRAY["
                    + "'{\"role\": \"user\", \"content\": \"la\"}'::jsonb, "
                    + "'{\"role\": \"assistant\", \"content\": \"di\"}'::jsonb, '{\"role\": \"user\", \"content\": \"go\"}'::jsonb])"));
            // a template of the call's own that ends on the user's "hi": "hi" continues "there"
            assertEquals(json("[\"there\"]"), one(s, "SELECT pgml.transform(" + chat
                    + ", '{\"chat_template\": \"{% for m in messages %} {{ m[\\\"content\\\"] }}{% endfor %}\"}'::jsonb, "
                    + "ARRAY['{\"role\": \"user\", \"content\": \"hi\"}'::jsonb])"));
        }
    }

    /** Every generative task over a table's rows (S2) gives each row what a call of its own gives. */
    @Test
    void generativeTasksOverRowsEqualTheirCallsAlone() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_gen_inputs; CREATE TABLE it_gen_inputs (id int, input text, chat jsonb[])");
            s.execute("INSERT INTO it_gen_inputs VALUES (1, 'the cat eats fish', ARRAY['{\"role\": \"user\", \"content\": \"hi\"}'::jsonb]), "
                    + "(2, 'the dog', ARRAY['{\"role\": \"user\", \"content\": \"la\"}'::jsonb, "
                    + "'{\"role\": \"assistant\", \"content\": \"di\"}'::jsonb, '{\"role\": \"user\", \"content\": \"go\"}'::jsonb])");
            for (String t : List.of("summarization", "text2text-generation", "translation_en_to_fr")) {
                try (ResultSet rs = s.executeQuery("SELECT id, input, pgml.transform(" + task(t, TinyTaskModels.SEQ2SEQ)
                        + ", inputs => ARRAY[input]) FROM it_gen_inputs ORDER BY id")) {
                    int rows = 0;
                    while (rs.next()) {
                        assertEquals(inProcess(t, TinyTaskModels.SEQ2SEQ, "{}", rs.getString(2)), JSON.readTree(rs.getString(3)), t);
                        rows++;
                    }
                    assertEquals(2, rows);
                }
            }
            // one conversation per row (a jsonb[] column)
            try (ResultSet rs = s.executeQuery("SELECT id, pgml.transform(" + task("conversational", TinyTaskModels.CAUSAL_LM)
                    + ", inputs => chat) FROM it_gen_inputs ORDER BY id")) {
                assertTrue(rs.next());
                assertEquals(json("[\"hello world\"]"), JSON.readTree(rs.getString(2)));
                assertTrue(rs.next());
                assertEquals(json("[\"hello world\"]"), JSON.readTree(rs.getString(2)));
            }
        }
    }

    private static PSQLException fails(Statement s, String sql) {
        return (PSQLException) assertThrows(SQLException.class, () -> one(s, sql));
    }

    @Test
    void badArgumentsNameTheKeyAndTheSessionGoesOn() throws Exception {
        String lm = task("text-generation", TinyTaskModels.CAUSAL_LM);
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            for (String[] bad : new String[][] {
                    {"{\"colour\": 1}", "colour"},
                    {"{\"temperature\": \"hot\", \"do_sample\": true}", "temperature"},
                    {"{\"max_new_tokens\": 100000}", "max_new_tokens"},
                    {"{\"num_beams\": 2, \"num_return_sequences\": 3}", "num_return_sequences"},
                    {"{\"top_p\": 1.5}", "top_p"}}) {
                PSQLException e = fails(s, "SELECT pgml.transform(" + lm + ", '" + bad[0] + "', ARRAY['one'])");
                assertEquals("22023", e.getSQLState(), bad[0]);
                assertTrue(e.getServerErrorMessage().getMessage().contains(bad[1]), e.getServerErrorMessage().getMessage());
            }
            PSQLException fullText = fails(s, "SELECT pgml.transform(" + task("summarization", TinyTaskModels.SEQ2SEQ)
                    + ", '{\"return_full_text\": false}', ARRAY['the cat'])");
            assertEquals("22023", fullText.getSQLState());
            assertTrue(fullText.getServerErrorMessage().getMessage().contains("return_full_text"), fullText.getMessage());
            PSQLException role = fails(s, "SELECT pgml.transform(" + task("conversational", TinyTaskModels.CAUSAL_LM)
                    + ", inputs => ARRAY['{\"role\": \"robot\", \"content\": \"hi\"}'::jsonb])");
            assertEquals("22023", role.getSQLState());
            assertTrue(role.getServerErrorMessage().getMessage().contains("roles must be"), role.getMessage());

            // in a transaction the error aborts it as PostgreSQL would; after ROLLBACK all is well
            c.setAutoCommit(false);
            assertEquals("22023", fails(s, "SELECT pgml.transform(" + lm + ", '{\"colour\": 1}', ARRAY['one'])").getSQLState());
            c.rollback();
            c.setAutoCommit(true);
            assertEquals("eight nine ten", one(s, "SELECT pgml.transform(" + lm + ", '{}', ARRAY['eight'])").get(0).get(0)
                    .get("generated_text").asText());
        }
    }
}
