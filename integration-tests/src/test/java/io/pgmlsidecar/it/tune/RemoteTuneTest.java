package io.pgmlsidecar.it.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.it.support.EndpointStandIn;
import io.pgmlsidecar.it.support.EndpointStandIn.Reply;
import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * pgml.tune for a generative task on a stand-in of an OpenAI-compatible fine-tuning API: the
 * training split is uploaded as JSONL, the job is polled (its events become pgml.logs rows), the
 * fine-tuned model becomes the project's, and pgml.generate then calls it.
 */
class RemoteTuneTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A fine-tuning API whose job runs for two polls, then succeeds; chat answers name the model asked for. */
    private static final class FineTuningApi {
        final List<String> uploads = new ArrayList<>();
        final AtomicInteger polls = new AtomicInteger();

        Reply answer(EndpointStandIn.Request r) {
            String p = r.path();
            try {
                if (p.equals("/v1/files")) {
                    uploads.add(r.body());
                    return Reply.json("{\"id\": \"file-" + uploads.size() + "\", \"object\": \"file\", \"bytes\": " + r.body().length()
                            + ", \"filename\": \"x.jsonl\", \"purpose\": \"fine-tune\", \"status\": \"processed\"}");
                }
                if (p.startsWith("/v1/files/")) {
                    return Reply.json("{\"id\": \"" + p.substring("/v1/files/".length()) + "\", \"object\": \"file\", \"status\": \"processed\"}");
                }
                if (p.equals("/v1/fine_tuning/jobs")) {
                    JsonNode body = JSON.readTree(r.body());
                    return Reply.json(job("queued", null, body.path("model").asText()));
                }
                if (p.equals("/v1/fine_tuning/jobs/ftjob-1/events")) {
                    int n = polls.get();
                    StringBuilder events = new StringBuilder();
                    for (int i = Math.min(n, 2); i >= 1; i--) { // newest first, as OpenAI lists them
                        events.append(events.length() > 0 ? "," : "").append("{\"id\": \"ev-").append(i).append("\", \"created_at\": ")
                                .append(1700000000 + i).append(", \"level\": \"info\", \"message\": \"Step ").append(i)
                                .append("/2: training loss=").append(1.0 / i).append("\", \"type\": \"metrics\", \"data\": {\"step\": ")
                                .append(i).append(", \"train_loss\": ").append(1.0 / i).append("}}");
                    }
                    return Reply.json("{\"object\": \"list\", \"data\": [" + events + "], \"has_more\": false}");
                }
                if (p.equals("/v1/fine_tuning/jobs/ftjob-1")) {
                    int n = polls.incrementAndGet();
                    return Reply.json(n < 3 ? job("running", null, "base-model") : job("succeeded", "ft:base-model:acme::abc123", "base-model"));
                }
                if (p.equals("/v1/chat/completions")) {
                    JsonNode body = JSON.readTree(r.body());
                    String content = body.get("messages").get(0).get("content").asText();
                    return Reply.json("{\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": "
                            + JSON.writeValueAsString(body.get("model").asText() + " says: " + content.toUpperCase()) + "}}]}");
                }
                return new Reply(404, "{\"error\": {\"message\": \"no route " + p + "\"}}", 0, java.util.Map.of());
            } catch (Exception e) {
                return new Reply(500, "{}", 0, java.util.Map.of());
            }
        }

        private static String job(String status, String model, String base) {
            return "{\"id\": \"ftjob-1\", \"object\": \"fine_tuning.job\", \"status\": \"" + status + "\", \"model\": \"" + base
                    + "\", \"fine_tuned_model\": " + (model == null ? "null" : "\"" + model + "\"") + ", \"trained_tokens\": "
                    + (model == null ? "null" : "1234") + ", \"training_file\": \"file-1\"}";
        }
    }

    @Test
    void translationTunedRemotelyThenGenerate() throws Exception {
        TestCluster cluster = TestCluster.get();
        FineTuningApi api = new FineTuningApi();
        try (EndpointStandIn endpoint = new EndpointStandIn(); Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            endpoint.answer(api::answer);
            s.execute("DELETE FROM pgml.remote_models WHERE name = 'it-ft'");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pgml.remote_models (name, provider, url, model) "
                    + "VALUES ('it-ft', 'openai', ?, 'base-model')")) {
                ps.setString(1, endpoint.url("/v1"));
                ps.executeUpdate();
            }
            s.execute("DROP TABLE IF EXISTS it_translations; CREATE TABLE it_translations (id serial, en text, fr text)");
            s.execute("INSERT INTO it_translations (en, fr) SELECT 'the cat ' || i, 'le chat ' || i FROM generate_series(1, 8) i");
            s.execute("DELETE FROM pgml.projects WHERE name = 'it_remote_translation'");

            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.tune('it_remote_translation', task => 'translation', "
                    + "relation_name => 'it_translations', model_name => 'it-ft', test_size => 0.25, test_sampling => 'last', "
                    + "hyperparams => '{\"training_args\": {\"num_train_epochs\": 2}, \"dataset_args\": {\"text_column\": \"en\", "
                    + "\"target_column\": \"fr\"}, \"remote_args\": {\"poll_interval_ms\": 50}}')")) {
                assertTrue(rs.next());
                assertEquals("it_remote_translation", rs.getString(1));
                assertEquals("translation", rs.getString(2));
                assertTrue(rs.getBoolean(4));
            }
            // the training split (the first 6 rows, 'last' sampling) went up as chat JSONL; the last 2 as validation
            assertEquals(2, api.uploads.size());
            assertTrue(api.uploads.get(0).contains("{\"messages\":[{\"role\":\"user\",\"content\":\"the cat 1\"},"
                    + "{\"role\":\"assistant\",\"content\":\"le chat 1\"}]}"), api.uploads.get(0));
            assertEquals(6, api.uploads.get(0).split("\\{\"messages\"").length - 1);
            assertTrue(api.uploads.get(1).contains("the cat 8") && !api.uploads.get(1).contains("the cat 1\""), api.uploads.get(1));
            JsonNode job = JSON.readTree(endpoint.requests().stream().filter(r -> r.path().equals("/v1/fine_tuning/jobs")).findFirst()
                    .orElseThrow().body());
            assertEquals(2, job.path("hyperparameters").path("n_epochs").asInt());
            assertEquals("file-1", job.path("training_file").asText());
            assertTrue(api.polls.get() >= 3, "the job was polled until it succeeded");

            try (ResultSet rs = s.executeQuery("SELECT m.runtime::text, m.algorithm::text, (SELECT count(*) FROM pgml.logs l WHERE l.model_id = m.id) "
                    + "FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = 'it_remote_translation'")) {
                assertTrue(rs.next());
                assertEquals("openai", rs.getString(1));
                assertEquals("transformers", rs.getString(2));
                assertEquals(2, rs.getInt(3), "one log row per job event");
            }
            try (ResultSet rs = s.executeQuery("SELECT pgml.generate('it_remote_translation', 'the dog')")) {
                assertTrue(rs.next());
                assertEquals("ft:base-model:acme::abc123 says: THE DOG", rs.getString(1));
            }
            try (ResultSet rs = s.executeQuery("SELECT pgml.generate('it_remote_translation', ARRAY['a', 'b'])")) {
                assertTrue(rs.next());
                Array out = rs.getArray(1);
                assertEquals(List.of("ft:base-model:acme::abc123 says: A", "ft:base-model:acme::abc123 says: B"),
                        List.of((String[]) out.getArray()));
            }
            try (ResultSet rs = s.executeQuery("SELECT id, pgml.generate('it_remote_translation', en) FROM it_translations WHERE id <= 2 ORDER BY id")) {
                assertTrue(rs.next());
                assertEquals("ft:base-model:acme::abc123 says: THE CAT 1", rs.getString(2));
            }
            // a remote chat model generates directly, without a project
            try (ResultSet rs = s.executeQuery("SELECT pgml.generate('it-ft', 'hello', '{\"max_new_tokens\": 5}')")) {
                assertTrue(rs.next());
                assertEquals("base-model says: HELLO", rs.getString(1));
            }
        }
    }

    @Test
    void generativeTuneWithoutProviderSaysHowToConfigureOne() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_gen_rows; CREATE TABLE it_gen_rows (text text, target text); INSERT INTO it_gen_rows VALUES ('a', 'b')");
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM pgml.tune('it_no_provider', "
                    + "task => 'summarization', relation_name => 'it_gen_rows', model_name => 'google/flan-t5-small')"));
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("pgml.remote_models"), e.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.projects WHERE name = 'it_no_provider'")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "no half-created project");
            }
            SQLException g = assertThrows(SQLException.class, () -> s.executeQuery("SELECT pgml.generate('it_no_such_project', 'x')"));
            assertEquals("42704", g.getSQLState());
        }
    }
}
