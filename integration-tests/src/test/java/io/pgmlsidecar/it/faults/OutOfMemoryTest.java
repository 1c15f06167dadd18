package io.pgmlsidecar.it.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.SidecarProcess;
import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.TinyTaskModels;
import io.pgmlsidecar.testmodels.encoders.MemoryHogEncoder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.util.PSQLException;

/**
 * Memory: the packaged sidecar as its own process with a 256 MiB heap, so that a model really runs out of it. A call
 * whose memory can be predicted (an embedding batch's token vectors, a feature-extraction answer, a training set) is
 * refused before it allocates (54000) when over the per-call budget; without a budget the same calls outgrow the heap
 * and fail with 53200. Either way only that statement fails: its connection serves the next statement, and other sessions —
 * relayed statements and embeddings with a sound model — are served all along without a single error.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OutOfMemoryTest {

    /** 8 Mi dimensions per token: 32 MiB of floats a token on the heap, so a dozen tokens outgrow 256 MiB. */
    private static final long HIDDEN = 8L << 20;
    private static final String HOG = "tiny/memory-hog";
    private static final String TEXT = String.join(" ", Collections.nCopies(14, "good movie"));
    private static final TestCluster cluster = TestCluster.get();
    private static final String TRANSFORM = "SELECT pgml.transform('{\"task\": \"feature-extraction\", \"model\": \""
            + HOG + "\"}'::jsonb, inputs => ARRAY['" + TEXT + "'])";
    private static SidecarProcess sidecar;

    @BeforeAll
    static void start() throws Exception {
        TinyTaskModels.install();
        MemoryHogEncoder.write(TestCluster.modelsDir().resolve(HOG), HIDDEN, 512);
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS oom_wide");
            StringBuilder columns = new StringBuilder();
            for (int i = 0; i < 20; i++) columns.append(", (g * ").append(i + 1).append(" % 97)::float8 AS x").append(i);
            s.execute("CREATE TABLE oom_wide AS SELECT (g % 13)::float8 AS y" + columns + " FROM generate_series(1, 300000) g");
        }
        sidecar = start(64L << 20);
    }

    /** The packaged sidecar with a 256 MiB heap and this per-call budget. */
    private static SidecarProcess start(long budget) throws Exception {
        return SidecarProcess.start(cluster.postgresPort(), List.of("--models-dir", TestCluster.modelsDir().toString(),
                "--call-memory-budget", Long.toString(budget)), Map.of("JAVA_TOOL_OPTIONS", "-Xmx256m"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (sidecar != null) sidecar.close();
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS oom_wide");
        }
    }

    @Test
    void callsPredictedOverTheBudgetAreRefusedBeforeTheyAllocate() throws Exception {
        try (Bystanders others = new Bystanders(sidecar); Connection c = connect(sidecar); Statement s = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                SQLException e = assertFailsCleanly(s, "SELECT pgml.embed('" + HOG + "', '" + TEXT + "')", "54000");
                assertTrue(e.getMessage().contains("model '" + HOG + "'") && e.getMessage().contains("per-call budget of 64 MiB"),
                        e.getMessage());
                assertTrue(hint(e).contains("batch_size") && hint(e).contains("--call-memory-budget"), hint(e));
                assertWorksAfter(s);
                e = assertFailsCleanly(s, TRANSFORM, "54000");
                assertTrue(e.getMessage().contains("model '" + HOG + "': the token vectors of 1 inputs"), e.getMessage());
                assertTrue(hint(e).contains("max_length"), hint(e));
                assertWorksAfter(s);
            }
            others.assertAllServed();
        }
    }

    /** Without a budget (the operator set it past the heap) the same calls really run out of it: the last line. */
    @Test
    void aModelThatOutgrowsTheHeapFailsItsStatementOnly() throws Exception {
        try (SidecarProcess unbudgeted = start(1L << 40); Bystanders others = new Bystanders(unbudgeted);
             Connection c = connect(unbudgeted); Statement s = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                for (String[] call : new String[][] {{"pgml.embed", "SELECT pgml.embed('" + HOG + "', '" + TEXT + "')"},
                        {"pgml.transform", TRANSFORM}}) {
                    SQLException e = assertFailsCleanly(s, call[1], "53200");
                    assertTrue(e.getMessage().contains(call[0] + " ran out of memory") && e.getMessage().contains(HOG)
                            && e.getMessage().contains("Java heap space"), e.getMessage());
                    assertTrue(hint(e).contains("batch_size") && hint(e).contains("-Xmx"), hint(e));
                    assertWorksAfter(s);
                }
            }
            others.assertAllServed();
            System.out.println("other sessions' answers meanwhile, none failed: " + others.answers.get());
            assertTrue(unbudgeted.awaitExit(java.time.Duration.ofMillis(1)) == null, "the sidecar still runs");
        }
    }

    @Test
    void aTrainingSetOverTheBudgetIsRefusedAndNothingIsRecorded() throws Exception {
        try (Bystanders others = new Bystanders(sidecar); Connection c = connect(sidecar); Statement s = c.createStatement()) {
            SQLException e = assertFailsCleanly(s, "SELECT * FROM pgml.train('oom_budget', 'regression', 'oom_wide', 'y')", "54000");
            assertTrue(e.getMessage().contains("training set of 262144 rows × 20 columns"), e.getMessage());
            assertTrue(hint(e).contains("fewer rows"), hint(e));
            assertWorksAfter(s);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.projects WHERE name = 'oom_budget'")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "no project of the refused training");
            }
            others.assertAllServed();
        }
    }

    private static SQLException assertFailsCleanly(Statement s, String sql, String sqlState) {
        SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql).close(), sql);
        assertNotNull(((PSQLException) e).getServerErrorMessage(), "an ErrorResponse: " + e);
        assertEquals(sqlState, e.getSQLState(), e.getMessage());
        assertFalse(e.getMessage().contains("at io.pgmlsidecar"), "no Java stack trace: " + e.getMessage());
        return e;
    }

    private static String hint(SQLException e) {
        String h = ((PSQLException) e).getServerErrorMessage().getHint();
        return h == null ? "" : h;
    }

    private static void assertWorksAfter(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT array_length(pgml.embed('" + TinyTaskModels.FEATURES + "', 'good movie'), 1)")) {
            assertTrue(rs.next(), "the same connection serves a sound model right after");
            assertEquals(4, rs.getInt(1));
        }
    }

    private static Connection connect(SidecarProcess through) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        return DriverManager.getConnection(through.jdbcUrl(), p);
    }

    /** Two other sessions through the same sidecar, one relaying plain SQL, one embedding with a sound model, in loops. */
    private static final class Bystanders implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger answers = new AtomicInteger();
        private final List<CompletableFuture<Void>> loops = new ArrayList<>();
        private final SidecarProcess through;

        Bystanders(SidecarProcess through) {
            this.through = through;
            loops.add(loop("SELECT count(*) FROM generate_series(1, 1000)", 1000));
            loops.add(loop("SELECT array_length(pgml.embed('" + TinyTaskModels.FEATURES + "', 'good movie'), 1)", 4));
        }

        private CompletableFuture<Void> loop(String sql, int expected) {
            return CompletableFuture.runAsync(() -> {
                try (Connection c = connect(through); Statement s = c.createStatement()) {
                    while (running.get()) {
                        try (ResultSet rs = s.executeQuery(sql)) {
                            rs.next();
                            assertEquals(expected, rs.getInt(1), sql);
                        }
                        answers.incrementAndGet();
                    }
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            });
        }

        /** Every statement of theirs was answered right (at least one each), none failed. */
        void assertAllServed() throws Exception {
            running.set(false);
            for (CompletableFuture<Void> f : loops) f.get(60, TimeUnit.SECONDS);
            assertTrue(answers.get() >= loops.size(), "the other sessions were served meanwhile: " + answers.get());
        }

        @Override
        public void close() {
            running.set(false);
        }
    }
}
