package io.pgmlsidecar.it.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** pgml.rank with an embedding model: documents by cosine similarity to the query, 0-based corpus ids. */
class RankTest {

    private static final String DOCS = "ARRAY['Stock markets fell sharply today.', 'A kitten is sleeping on a rug.', "
            + "'The central bank raised interest rates.', 'Cats love to nap in the sun.']";

    @Test
    void ranksDocumentsByCosineSimilarity() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            List<Integer> ids = new ArrayList<>();
            double previous = Double.MAX_VALUE;
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.rank('sentence-transformers/all-MiniLM-L6-v2', 'sleepy cats', "
                    + DOCS + ")")) {
                assertEquals("corpus_id", rs.getMetaData().getColumnName(1));
                assertEquals("float8", rs.getMetaData().getColumnTypeName(2));
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                    assertTrue(rs.getDouble(2) <= previous, "sorted by score, descending");
                    previous = rs.getDouble(2);
                    assertTrue(rs.getString(3).endsWith("."));
                }
            }
            assertEquals(4, ids.size());
            assertTrue(ids.subList(0, 2).containsAll(List.of(1, 3)), "the two cat sentences first: " + ids);
            try (ResultSet rs = s.executeQuery("SELECT corpus_id, text FROM pgml.rank('sentence-transformers/all-MiniLM-L6-v2', "
                    + "'interest rates', " + DOCS + ", '{\"top_k\": 1, \"return_documents\": false}')")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
                assertNull(rs.getString(2));
                assertTrue(!rs.next(), "top_k limits the rows");
            }
        }
    }

    @Test
    void ranksWithACrossEncoder() throws Exception {
        io.pgmlsidecar.testmodels.encoders.TinyCrossEncoder.write(TestCluster.modelsDir().resolve("tiny/cross-encoder"), 64);
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT corpus_id, score, text FROM pgml.rank('tiny/cross-encoder', 'capital of france', "
                     + "ARRAY['the river in london', 'paris is the capital of france', 'france has a river'])")) {
            // logit = 2 * shared content words - 1: 2 words → 3, 1 word → 1, none → -1; the score is its sigmoid
            java.util.List<String> order = new java.util.ArrayList<>();
            java.util.List<Double> scores = new java.util.ArrayList<>();
            while (rs.next()) {
                order.add(rs.getLong(1) + ":" + rs.getString(3));
                scores.add(rs.getDouble(2));
            }
            assertEquals(java.util.List.of("1:paris is the capital of france", "2:france has a river", "0:the river in london"), order);
            assertEquals(1 / (1 + Math.exp(-3)), scores.get(0), 1e-6);
            assertEquals(1 / (1 + Math.exp(-1)), scores.get(1), 1e-6);
            assertEquals(1 / (1 + Math.exp(1)), scores.get(2), 1e-6);
        }
    }
}
