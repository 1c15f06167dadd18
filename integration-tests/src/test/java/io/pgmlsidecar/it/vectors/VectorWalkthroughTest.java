package io.pgmlsidecar.it.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's vector search walk-through, as written, through the sidecar (pgvector absent here). */
class VectorWalkthroughTest {

    @Test
    void readmeWalkthrough() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT pgml.install_vector_fallback()")) {
                assertTrue(rs.next());
            }
            try (ResultSet rs = s.executeQuery("SELECT pgml.install_vector_fallback()")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).contains("nothing installed"), "a second call never shadows: " + rs.getString(1));
            }
            s.execute("DROP TABLE IF EXISTS documents");
            s.execute("CREATE TABLE documents (id serial PRIMARY KEY, body text, embedding vector)");
            s.execute("INSERT INTO documents (body) VALUES ('The cat sits on the mat.'), ('Stocks fell sharply today.'), ('A kitten naps on a rug.')");
            assertEquals(3, s.executeUpdate("UPDATE documents SET embedding = pgml.embed('sentence-transformers/all-MiniLM-L6-v2', body)"));
            List<String> found = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("""
                    SELECT body FROM documents
                    ORDER BY embedding <=> pgml.embed('sentence-transformers/all-MiniLM-L6-v2', 'a cat resting')::vector
                    LIMIT 2""")) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            assertEquals(2, found.size());
            assertTrue(found.containsAll(List.of("The cat sits on the mat.", "A kitten naps on a rug.")), "cat sentences first: " + found);
            try (ResultSet rs = s.executeQuery("SELECT id FROM documents ORDER BY embedding <-> (SELECT embedding FROM documents WHERE id = 1) LIMIT 1")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
        }
    }
}
