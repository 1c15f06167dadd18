package io.pgmlsidecar.it.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.it.support.EndpointStandIn;
import io.pgmlsidecar.it.support.EndpointStandIn.Reply;
import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** pgml.transform text-generation and conversational on a remote chat model (a /v1/chat/completions stand-in). */
class RemoteTransformTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers "echo: <last message>", n times. */
    private static Reply chat(EndpointStandIn.Request r) {
        try {
            JsonNode body = JSON.readTree(r.body());
            JsonNode messages = body.get("messages");
            String last = messages.get(messages.size() - 1).get("content").asText();
            int n = body.path("n").asInt(1);
            StringBuilder choices = new StringBuilder();
            for (int i = 0; i < n; i++) {
                choices.append(i > 0 ? "," : "").append("{\"index\": ").append(i).append(", \"message\": {\"role\": \"assistant\", \"content\": ")
                        .append(JSON.writeValueAsString(" echo " + i + ": " + last + " (" + messages.size() + " messages, max "
                                + body.path("max_tokens").asInt(-1) + ")")).append("}, \"finish_reason\": \"stop\"}");
            }
            return Reply.json("{\"id\": \"x\", \"object\": \"chat.completion\", \"choices\": [" + choices + "]}");
        } catch (Exception e) {
            return new Reply(400, "{}", 0, java.util.Map.of());
        }
    }

    @Test
    void textGenerationAndConversation() throws Exception {
        TestCluster cluster = TestCluster.get();
        try (EndpointStandIn endpoint = new EndpointStandIn(); Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            endpoint.answer(RemoteTransformTest::chat);
            s.execute("DELETE FROM pgml.remote_models WHERE name = 'stand-in-chat'");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pgml.remote_models (name, provider, url, model) "
                    + "VALUES ('stand-in-chat', 'openai', ?, 'llama-3')")) {
                ps.setString(1, endpoint.url("/v1"));
                ps.executeUpdate();
            }
            String generated = one(s, "SELECT pgml.transform(task => '{\"task\": \"text-generation\", \"model\": \"stand-in-chat\"}'::jsonb, "
                    + "inputs => ARRAY['Once upon a time'], args => '{\"max_new_tokens\": 20, \"num_return_sequences\": 2}')");
            JsonNode g = JSON.readTree(generated);
            assertEquals(1, g.size());
            assertEquals(2, g.get(0).size());
            assertEquals("Once upon a time echo 0: Once upon a time (1 messages, max 20)", g.get(0).get(0).get("generated_text").asText());
            assertEquals("/v1/chat/completions", endpoint.requests().get(0).path());
            assertEquals("llama-3", JSON.readTree(endpoint.requests().get(0).body()).get("model").asText());

            String conversation = one(s, "SELECT pgml.transform('{\"task\": \"conversational\", \"model\": \"stand-in-chat\"}'::jsonb, "
                    + "inputs => ARRAY['{\"role\": \"system\", \"content\": \"be brief\"}'::jsonb, '{\"role\": \"user\", \"content\": \"hi\"}'::jsonb])");
            assertEquals("[\" echo 0: hi (2 messages, max -1)\"]", conversation);

            s.execute("SET pgml.huggingface_whitelist = 'some-other-model'");
            SQLException denied = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> one(s,
                    "SELECT pgml.transform('{\"task\": \"conversational\", \"model\": \"stand-in-chat\"}'::jsonb, "
                            + "inputs => ARRAY['{\"role\": \"user\", \"content\": \"hi\"}'::jsonb])"));
            assertEquals("42501", denied.getSQLState());
            s.execute("SET pgml.huggingface_whitelist = 'some-other-model, stand-in-chat'");
            assertTrue(one(s, "SELECT pgml.transform('{\"task\": \"conversational\", \"model\": \"stand-in-chat\"}'::jsonb, "
                    + "inputs => ARRAY['{\"role\": \"user\", \"content\": \"hi\"}'::jsonb])").contains("echo"));
            s.execute("RESET pgml.huggingface_whitelist");

            s.execute("DROP TABLE IF EXISTS prompts; CREATE TABLE prompts (id int, body text); INSERT INTO prompts VALUES (1, 'a'), (2, 'b')");
            try (ResultSet rs = s.executeQuery("WITH g AS (SELECT id, pgml.transform('{\"task\": \"text-generation\", \"model\": "
                    + "\"stand-in-chat\"}'::jsonb, '{\"return_full_text\": false}', ARRAY[body]) AS out FROM prompts) "
                    + "SELECT id, out -> 0 -> 0 ->> 'generated_text' FROM g ORDER BY id")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(2).startsWith(" echo 0: a"), rs.getString(2));
                assertTrue(rs.next());
                assertTrue(rs.getString(2).startsWith(" echo 0: b"), rs.getString(2));
            }
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
