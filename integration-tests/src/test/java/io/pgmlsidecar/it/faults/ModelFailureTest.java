package io.pgmlsidecar.it.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.NoBufferLeaks;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.TinyTaskModels;
import io.pgmlsidecar.testmodels.OnnxGraph;
import io.pgmlsidecar.testmodels.encoders.HfEncoderDirectory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.util.PSQLException;

/**
 * A model that throws inside inference, and one that runs on and on, fail or are cancelled in the
 * statement that called them; another session calling a sound model meanwhile is unaffected.
 */
@ExtendWith(NoBufferLeaks.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ModelFailureTest {

    /** A real ONNX encoder whose embedding table has one row: every token id past 0 is out of its bounds. */
    private static final String BROKEN = "tiny/broken-encoder";
    private static final TestCluster cluster = TestCluster.get();

    @BeforeAll
    static void installModels() throws Exception {
        TinyTaskModels.install();
        OnnxGraph g = new OnnxGraph("broken-encoder");
        g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
        g.input("attention_mask", OnnxGraph.INT64, "batch", "sequence");
        g.op("Gather", List.of(g.floats("emb", new float[][] {{1, 2, 3, 4}}), "input_ids"), List.of("last_hidden_state"), Map.of());
        g.output("last_hidden_state", OnnxGraph.FLOAT, "batch", "sequence", 4);
        HfEncoderDirectory.write(TestCluster.modelsDir().resolve(BROKEN), g, List.of(), null, 64);
    }

    @Test
    void aModelThatThrowsFailsItsStatementOnly() throws Exception {
        try (Bystander bystander = new Bystander()) {
            try (Connection c = cluster.connect("ApplicationName=it_faults_broken_model"); Statement s = c.createStatement()) {
                for (String sql : List.of("SELECT pgml.embed('" + BROKEN + "', 'hello world')",
                        "SELECT pgml.transform(" + task("feature-extraction", BROKEN) + ", inputs => ARRAY['good movie'])",
                        "SELECT pgml.embed('" + BROKEN + "', t) FROM (VALUES ('good'), ('movie')) v(t)")) {
                    SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql).close(), sql);
                    assertNotNull(((PSQLException) e).getServerErrorMessage(), "an ErrorResponse: " + e);
                    assertFalse(e.getSQLState().startsWith("08"), "the connection is not given up: " + e);
                    assertFalse(e.getMessage().contains("at io.pgmlsidecar"), "no Java stack trace: " + e.getMessage());
                    assertTrue(e.getMessage().toLowerCase().contains("broken-encoder") || e.getMessage().toLowerCase().contains("gather"),
                            "the message says what failed: " + e.getMessage());
                    assertWorksAfter(s);
                }
            }
            bystander.assertUnaffected();
        }
    }

    @Test
    void aModelThatRunsOnIsCancelledByTheQueryTimeoutAndOthersGoOn() throws Exception {
        String slow = task("text-generation", TinyTaskModels.CAUSAL_LM_SLOW);
        try (Connection c = cluster.connect("ApplicationName=it_faults_slow_model"); Statement s = c.createStatement()) {
            s.executeQuery("SELECT pgml.transform(" + slow + ", '{\"max_new_tokens\": 1}', ARRAY['one'])").close(); // loaded
            try (Bystander bystander = new Bystander()) {
                s.setQueryTimeout(1); // pgjdbc sends a CancelRequest after 1 s
                long start = System.nanoTime();
                // min_new_tokens bans the end token: hundreds of slow steps unless stopped
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT pgml.transform(" + slow
                        + ", '{\"min_new_tokens\": 400, \"max_new_tokens\": 400}', ARRAY['one'])").close());
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals("57014", e.getSQLState(), e.getMessage());
                assertTrue(ms < 30_000, "stopped after " + ms + " ms");
                s.setQueryTimeout(0);
                assertWorksAfter(s);
                bystander.assertUnaffected();
            }
        }
    }

    private static String task(String task, String model) {
        return "'{\"task\": \"" + task + "\", \"model\": \"" + model + "\"}'::jsonb";
    }

    private static void assertWorksAfter(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT pgml.embed('" + TinyTaskModels.FEATURES + "', 'good movie')")) {
            assertTrue(rs.next(), "the same connection serves a sound model right after");
            assertNotNull(rs.getArray(1));
        }
    }

    /** Another session that embeds with a sound model over and over while the test runs, counting answers and failures. */
    private static final class Bystander implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger answers = new AtomicInteger();
        private final CompletableFuture<Void> loop;

        Bystander() {
            loop = CompletableFuture.runAsync(() -> {
                try (Connection c = cluster.connect("ApplicationName=it_faults_bystander"); Statement s = c.createStatement()) {
                    while (running.get()) {
                        try (ResultSet rs = s.executeQuery("SELECT array_length(pgml.embed('" + TinyTaskModels.FEATURES
                                + "', 'good movie'), 1)")) {
                            rs.next();
                            assertEquals(4, rs.getInt(1));
                        }
                        answers.incrementAndGet();
                    }
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
        }

        /** It answered right all along (and at least once), and no call of it failed. */
        void assertUnaffected() throws Exception {
            running.set(false);
            loop.get(60, TimeUnit.SECONDS);
            assertTrue(answers.get() > 0, "the other session was served meanwhile");
        }

        @Override
        public void close() {
            running.set(false);
        }
    }
}
