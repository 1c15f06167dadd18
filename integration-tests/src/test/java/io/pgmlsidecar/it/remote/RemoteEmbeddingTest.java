package io.pgmlsidecar.it.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** pgml.embed with remote models (an OpenAI-compatible /v1/embeddings stand-in), alone, over rows, under a rate limit. */
class RemoteEmbeddingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final TestCluster cluster = TestCluster.get();

    /** Answers each input with [length, first code point, 1]. */
    private static Reply embeddings(EndpointStandIn.Request r) {
        try {
            JsonNode input = JSON.readTree(r.body()).get("input");
            StringBuilder data = new StringBuilder("{\"object\": \"list\", \"data\": [");
            for (int i = 0; i < input.size(); i++) {
                String t = input.get(i).asText();
                data.append(i > 0 ? "," : "").append("{\"object\": \"embedding\", \"index\": ").append(i).append(", \"embedding\": [")
                        .append(t.length()).append(", ").append(t.isEmpty() ? 0 : t.codePointAt(0)).append(", 1]}");
            }
            return Reply.json(data.append("], \"model\": \"m\"}").toString());
        } catch (Exception e) {
            return new Reply(400, "{}", 0, Map.of());
        }
    }

    @Test
    void registeredRemoteModelServesEmbed() throws Exception {
        try (EndpointStandIn endpoint = new EndpointStandIn(); Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            endpoint.answer(RemoteEmbeddingTest::embeddings);
            s.executeQuery("SELECT azure_ai.set_setting('remote.stand_in_key', 'sk-test-123')").close();
            s.execute("DELETE FROM pgml.remote_models WHERE name = 'stand-in-embedder'");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pgml.remote_models (name, provider, url, model, key_setting, "
                    + "max_batch_size) VALUES ('stand-in-embedder', 'openai', ?, 'text-embedding-3-small', 'remote.stand_in_key', 2)")) {
                ps.setString(1, endpoint.url("/v1"));
                ps.executeUpdate();
            }
            try (ResultSet rs = s.executeQuery("SELECT pgml.embed('stand-in-embedder', 'hello')")) {
                assertTrue(rs.next());
                assertEquals("{5,104,1}", rs.getString(1));
            }
            EndpointStandIn.Request first = endpoint.requests().get(0);
            assertEquals("/v1/embeddings", first.path());
            assertEquals("Bearer sk-test-123", first.header("Authorization"));
            assertEquals("text-embedding-3-small", JSON.readTree(first.body()).get("model").asText());

            s.execute("DROP TABLE IF EXISTS remote_docs; CREATE TABLE remote_docs (id int, body text, e real[]); "
                    + "INSERT INTO remote_docs VALUES (1, 'a'), (2, 'bb'), (3, 'ccc'), (4, NULL), (5, 'a')");
            endpoint.requests().clear();
            assertEquals(5, s.executeUpdate("UPDATE remote_docs SET e = pgml.embed('stand-in-embedder', body)"));
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT id, e FROM remote_docs ORDER BY id")) {
                while (rs.next()) {
                    rows.add(rs.getInt(1) + ":" + rs.getString(2));
                }
            }
            assertEquals(List.of("1:{1,97,1}", "2:{2,98,1}", "3:{3,99,1}", "4:null", "5:{1,97,1}"), rows);
            assertEquals(2, endpoint.requests().size(), "three distinct texts in batches of at most two");

            SQLException unknown = assertThrows(SQLException.class, () -> s.executeQuery("SELECT pgml.embed('no-such/model', 'x')").close());
            assertEquals("42704", unknown.getSQLState());
        }
    }

    @Test
    void openAiShorthandAndErrors() throws Exception {
        try (EndpointStandIn endpoint = new EndpointStandIn(); Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            endpoint.answer(RemoteEmbeddingTest::embeddings);
            try (PreparedStatement ps = c.prepareStatement("SELECT azure_ai.set_setting('remote.openai.base_url', ?)")) {
                ps.setString(1, endpoint.url("/v1"));
                ps.executeQuery().close();
            }
            s.executeQuery("SELECT azure_ai.set_setting('remote.openai.api_key', 'sk-openai')").close();
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.embed('openai:text-embedding-3-small', ARRAY['x', 'yy'])")) {
                assertTrue(rs.next());
                assertEquals("{1,120,1}", rs.getString(1));
                assertTrue(rs.next());
                assertEquals("{2,121,1}", rs.getString(1));
            }
            endpoint.answer(r -> new Reply(401, "{\"error\": {\"message\": \"invalid api key\"}}", 0, Map.of()));
            SQLException denied = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT pgml.embed('openai:text-embedding-3-small', 'zzz')").close());
            assertEquals("38000", denied.getSQLState());
            assertTrue(!denied.getMessage().contains("sk-openai"), denied.getMessage());
            assertEquals("1", one(s, "SELECT 1"));
        }
    }

    @Test
    void fiftySessionsThroughARateLimitedEndpointSeeNo429() throws Exception {
        AtomicInteger inWindow = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        long[] windowStart = {System.nanoTime()};
        try (EndpointStandIn endpoint = new EndpointStandIn()) {
            endpoint.answer(r -> {
                synchronized (windowStart) {
                    if (System.nanoTime() - windowStart[0] > 1_000_000_000L) {
                        windowStart[0] = System.nanoTime();
                        inWindow.set(0);
                    }
                    if (inWindow.incrementAndGet() > 20) {
                        rejected.incrementAndGet();
                        return new Reply(429, "{}", 0, Map.of("Retry-After", "1"));
                    }
                }
                return embeddings(r);
            });
            try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
                s.execute("DELETE FROM pgml.remote_models WHERE name = 'limited-embedder'");
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO pgml.remote_models (name, provider, url, model, "
                        + "max_batch_size, requests_per_second) VALUES ('limited-embedder', 'openai', ?, 'm', 1, 15)")) {
                    ps.setString(1, endpoint.url("/v1"));
                    ps.executeUpdate();
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(50);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    String text = "session " + i;
                    results.add(pool.submit(() -> {
                        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
                            return one(s, "SELECT pgml.embed('limited-embedder', '" + text + "')");
                        }
                    }));
                }
                for (int i = 0; i < 50; i++) {
                    assertEquals("{" + ("session " + i).length() + ",115,1}", results.get(i).get());
                }
            } finally {
                pool.shutdown();
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
