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
}
