package io.pgmlsidecar.it.transform;

import static io.pgmlsidecar.it.transform.GenerationTasksTest.one;
import static io.pgmlsidecar.it.transform.GenerationTasksTest.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.NoBufferLeaks;
import org.junit.jupiter.api.extension.ExtendWith;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.TinyTaskModels;
import io.pgmlsidecar.it.wire.RawPgClient;
import io.pgmlsidecar.it.wire.RawPgClient.BackendMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pgml.transform_stream through the sidecar: one row per generation step (a JSON array with the new
 * text of each sequence) whose concatenation is the non-streamed continuation; rows flushed as they
 * are generated; conversational messages; other query shapes; a client cancel mid-generation.
 */
@ExtendWith(NoBufferLeaks.class)
class TransformStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void models() {
        TinyTaskModels.install();
    }

    private static List<JsonNode> rows(Statement s, String sql) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            assertEquals(1, rs.getMetaData().getColumnCount());
            assertEquals("jsonb", rs.getMetaData().getColumnTypeName(1));
            while (rs.next()) rows.add(JSON.readTree(rs.getString(1)));
        }
        return rows;
    }

    private static String concat(List<JsonNode> rows, int sequence) {
        StringBuilder all = new StringBuilder();
        for (JsonNode r : rows) all.append(r.get(sequence).asText());
        return all.toString();
    }

    @Test
    void oneRowPerStepConcatenatingToTheContinuation() throws Exception {
        String lm = task("text-generation", TinyTaskModels.CAUSAL_LM);
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            List<JsonNode> steps = rows(s, "SELECT * FROM pgml.transform_stream(" + lm + ", '{}'::jsonb, 'one two')");
            // " three" … " ten": 8 steps, the end token adds no row
            assertEquals(8, steps.size(), steps.toString());
            for (JsonNode step : steps) {
                assertTrue(step.isArray() && step.size() == 1 && step.get(0).isTextual(), step.toString());
            }
            assertEquals(" three", steps.get(0).get(0).asText());
            String whole = one(s, "SELECT pgml.transform(" + lm + ", '{\"return_full_text\": false}', ARRAY['one two'])")
                    .get(0).get(0).get("generated_text").asText();
            assertEquals(" three four five six seven eight nine ten", whole);
            assertEquals(whole, concat(steps, 0));

            List<JsonNode> three = rows(s, "SELECT * FROM pgml.transform_stream(" + lm + ", '{\"max_new_tokens\": 3}', 'la')");
            assertEquals(" la la la", concat(three, 0));

            // translation streams too: TinySeq2Seq translates word by word
            List<JsonNode> french = rows(s, "SELECT transform_stream FROM pgml.transform_stream("
                    + task("translation_en_to_fr", TinyTaskModels.SEQ2SEQ) + ", '{}', 'the cat eats fish')");
            assertEquals(List.of("[\"le\"]", "[\" chat\"]", "[\" mange\"]", "[\" poisson\"]"), french.stream().map(JsonNode::toString).toList());

            // pgjdbc with a fetch size in a transaction reads the portal page by page
            c.setAutoCommit(false);
            s.setFetchSize(3);
            List<JsonNode> paged = rows(s, "SELECT * FROM pgml.transform_stream(" + lm + ", '{}'::jsonb, 'one two')");
            c.commit();
            c.setAutoCommit(true);
            assertEquals(steps, paged);
        }
    }

    @Test
    void conversationalStreamsTheReply() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            List<JsonNode> steps = rows(s, "SELECT * FROM pgml.transform_stream(" + task("conversational", TinyTaskModels.CAUSAL_LM)
                    + ", '{}'::jsonb, ARRAY['{\"role\": \"user\", \"content\": \"hi\"}'::jsonb])");
            assertEquals(List.of("[\"hel\"]", "[\"lo\"]", "[\" world\"]"), steps.stream().map(JsonNode::toString).toList());
            JsonNode reply = one(s, "SELECT pgml.transform(" + task("conversational", TinyTaskModels.CAUSAL_LM)
                    + ", inputs => ARRAY['{\"role\": \"user\", \"content\": \"hi\"}'::jsonb])");
            assertEquals(reply.get(0).asText(), concat(steps, 0).strip());
        }
    }

    @Test
    void streamInOtherQueryShapes() throws Exception {
        String lm = task("text-generation", TinyTaskModels.CAUSAL_LM);
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_stream_prompts; CREATE TABLE it_stream_prompts (id int, prompt text); "
                    + "INSERT INTO it_stream_prompts VALUES (1, 'eight'), (2, 'go')");
            List<String> got = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT p.id, t FROM it_stream_prompts p, LATERAL pgml.transform_stream(" + lm
                    + ", '{}'::jsonb, p.prompt) t ORDER BY p.id")) {
                while (rs.next()) got.add(rs.getInt(1) + ":" + JSON.readTree(rs.getString(2)).get(0).asText());
            }
            // "eight" → " nine" " ten"; "go" → " left" " down"; rows of one prompt keep their order
            assertEquals(List.of("1: nine", "1: ten", "2: left", "2: down"), got);

            try (ResultSet rs = s.executeQuery("SELECT count(*), string_agg(t ->> 0, '') FROM pgml.transform_stream(" + lm
                    + ", '{}'::jsonb, 'one two') t")) {
                assertTrue(rs.next());
                assertEquals(8, rs.getInt(1));
                assertEquals(" three four five six seven eight nine ten", rs.getString(2));
            }
        }
    }

    /** The values of the DataRows of one simple-protocol query, with the nanoTime each arrived at. */
    private record Timed(List<String> values, List<Long> dataRowNanos, long completeNanos, String errorCode) {}

    private static Timed timedQuery(RawPgClient raw, String sql) throws Exception {
        raw.send(RawPgClient.query(sql));
        List<String> values = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        long complete = -1;
        String error = null;
        for (BackendMessage m = raw.read(); m != null; m = raw.read()) {
            long now = System.nanoTime();
            switch (m.type()) {
                case 'D' -> {
                    ByteBuffer b = ByteBuffer.wrap(m.body());
                    assertEquals(1, b.getShort());
                    byte[] v = new byte[b.getInt()];
                    b.get(v);
                    values.add(new String(v, StandardCharsets.UTF_8));
                    at.add(now);
                }
                case 'C' -> complete = now;
                case 'E' -> error = m.field('C');
                case 'Z' -> {
                    return new Timed(values, at, complete, error);
                }
                default -> { }
            }
        }
        throw new AssertionError("connection closed mid-query");
    }

    @Test
    void theFirstRowArrivesWhileGenerationGoesOn() throws Exception {
        // the slow decoder gives the tiny decoder's answers with real matrix work in every step
        String slow = task("text-generation", TinyTaskModels.CAUSAL_LM_SLOW);
        try (RawPgClient raw = RawPgClient.connect(TestCluster.get().sidecarPort(), 120_000)) {
            raw.startupAndWaitReady("postgres", "postgres");
            Timed warm = timedQuery(raw, "SELECT pgml.transform(" + slow + ", '{\"max_new_tokens\": 1}', ARRAY['one'])");
            assertEquals(null, warm.errorCode(), "loads the model before the timed run");

            long start = System.nanoTime();
            Timed t = timedQuery(raw, "SELECT * FROM pgml.transform_stream(" + slow + ", '{}'::jsonb, 'one')");
            assertEquals(null, t.errorCode());
            assertEquals(List.of("[\" two\"]", "[\" three\"]", "[\" four\"]", "[\" five\"]", "[\" six\"]", "[\" seven\"]",
                    "[\" eight\"]", "[\" nine\"]", "[\" ten\"]"), t.values());
            double first = (t.dataRowNanos().get(0) - start) / 1e6;
            double last = (t.dataRowNanos().get(t.dataRowNanos().size() - 1) - start) / 1e6;
            double total = (t.completeNanos() - start) / 1e6;
            System.out.printf("transform_stream on %s: first row at %.0f ms, last at %.0f ms, CommandComplete at %.0f ms%n",
                    TinyTaskModels.CAUSAL_LM_SLOW, first, last, total);
            // 10 model runs (prompt, 8 tokens, the end): a row per step means the first of 9 rows comes
            // after about a tenth of the time; rows sent at the end would all come together
            assertTrue(first < total / 3, "first row at " + first + " ms of " + total + " ms");
            assertTrue(last - first > total / 3, "rows spread from " + first + " to " + last + " ms of " + total + " ms");
        }
    }

    @Test
    void cancelStopsAGenerationInFlightAndTheConnectionGoesOn() throws Exception {
        String slow = task("text-generation", TinyTaskModels.CAUSAL_LM_SLOW);
        // min_new_tokens bans the end token: 60 slow steps (seconds) unless cancelled
        String longRun = "'{\"min_new_tokens\": 60, \"max_new_tokens\": 60}'";
        try (Connection c = TestCluster.get().connect("ApplicationName=it_stream_cancel"); Statement s = c.createStatement()) {
            one(s, "SELECT pgml.transform(" + slow + ", '{\"max_new_tokens\": 1}', ARRAY['one'])"); // load the model first
            for (String sql : List.of("SELECT * FROM pgml.transform_stream(" + slow + ", " + longRun + ", 'one')",
                    "SELECT pgml.transform(" + slow + ", " + longRun + ", ARRAY['one'])")) {
                CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> {
                    try {
                        Thread.sleep(200);
                        s.cancel();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                long start = System.nanoTime();
                SQLException e = assertThrows(SQLException.class, () -> rows(s, sql), sql);
                long ms = (System.nanoTime() - start) / 1_000_000;
                cancel.get(10, TimeUnit.SECONDS);
                System.out.printf("cancelled after %d ms: %s%n", ms, sql);
                assertEquals("57014", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("canceling statement due to user request"), e.getMessage());
                assertTrue(ms < 30_000, "cancelled after " + ms + " ms");
                // the same connection and the same pipeline answer right afterwards
                assertEquals("eight nine ten", one(s, "SELECT pgml.transform(" + slow + ", '{}', ARRAY['eight'])")
                        .get(0).get(0).get("generated_text").asText());
            }
            try (ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
                assertFalse(rs.next());
            }
        }
    }
}
