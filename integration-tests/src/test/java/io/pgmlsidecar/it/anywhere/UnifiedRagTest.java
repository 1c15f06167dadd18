package io.pgmlsidecar.it.anywhere;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgresML's "unified RAG" guide (pgml-cms/docs/open-source/pgml/guides/unified-rag.md): the
 * question embedded, the nearest chunks found and reranked with {@code pgml.rank} in one statement,
 * run as the guide writes it (models replaced by the bundled one, pgvector by the sidecar's
 * real[] fallback). The answer must equal the same steps run one at a time.
 */
class UnifiedRagTest {

    private static final TestCluster cluster = TestCluster.get();
    private static final String MODEL = "sentence-transformers/all-MiniLM-L6-v2";
    private static final String QUESTION = "How do I write a select statement with pgml.transform?";
    private static final String[] CHUNKS = {
        "Here is an example of the pgml.transform function",
        "SELECT pgml.transform(task => 'text-generation', inputs => ARRAY['AI is going to'])",
        "Here is another example of the pgml.transform function",
        "Cats sleep most of the day in warm places",
        "Here is a third example of the pgml.transform function",
        "SELECT pgml.transform(task => 'summarization', inputs => ARRAY['a long text'])",
        "The stock market closed higher on Friday",
        "PostgreSQL stores rows in heap pages"};

    /** The guide's retrieval, shared by both statements: the question embedded, the six nearest chunks, numbered. */
    private static final String RETRIEVAL = """
                WITH embedded_query AS (
                    SELECT
                        pgml.embed('%1$s', '%2$s', '{"prompt": "Represent this sentence for searching relevant passages: "}')::vector embedding
                ),
                vector_search AS (
                    SELECT
                      rag_chunks.id,
                      (
                          SELECT
                              embedding
                          FROM embedded_query) <=> rag_embeddings.embedding cosine_distance,
                      rag_chunks.chunk
                  FROM
                      rag_chunks
                  INNER JOIN rag_embeddings ON rag_embeddings.chunk_id = rag_chunks.id
                  ORDER BY
                      rag_embeddings.embedding <=> (
                          SELECT
                              embedding
                          FROM embedded_query)
                  LIMIT 6
                ),
                row_number_vector_search AS (
                    SELECT
                        cosine_distance,
                        chunk,
                        ROW_NUMBER() OVER () AS row_number
                    FROM
                        vector_search
                )
                """.formatted(MODEL, QUESTION).strip();

    @BeforeAll
    static void documents() throws SQLException {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("SELECT pgml.install_vector_fallback()");
            s.execute("DROP TABLE IF EXISTS rag_embeddings, rag_chunks");
            s.execute("CREATE TABLE rag_chunks (id serial PRIMARY KEY, chunk text NOT NULL)");
            s.execute("CREATE TABLE rag_embeddings (id serial PRIMARY KEY, chunk_id int REFERENCES rag_chunks (id), embedding vector)");
            for (String chunk : CHUNKS) {
                s.execute("INSERT INTO rag_chunks (chunk) VALUES ('" + chunk.replace("'", "''") + "')");
            }
            s.execute("INSERT INTO rag_embeddings (chunk_id, embedding) SELECT id, pgml.embed('" + MODEL + "', chunk)::vector FROM rag_chunks");
        }
    }

    @Test
    void retrievalRerankingAndGenerationInOneStatement() throws SQLException {
        io.pgmlsidecar.it.support.TinyTaskModels.install();
        String llm = io.pgmlsidecar.it.support.TinyTaskModels.CAUSAL_LM;
        String unified = """
                %4$s,
                context AS (
                  SELECT
                      chunk
                  FROM (
                      SELECT
                        chunk
                      FROM
                          row_number_vector_search AS rnsv1
                      INNER JOIN (
                          SELECT
                            pgml.rank('%1$s', '%2$s', array_agg("chunk"), '{"return_documents": false, "top_k": 1}'::jsonb || '{}') AS rank
                          FROM
                            row_number_vector_search
                      ) AS rnsv2 ON (rank).corpus_id + 1 = rnsv1.row_number
                  ) AS sub_query
                )
                SELECT
                    pgml.transform (
                      task => '{
                        "task": "conversational",
                        "model": "%3$s"
                      }'::jsonb,
                      inputs => ARRAY['{"role": "system", "content": "You are a friendly and helpful chatbot."}'::jsonb, jsonb_build_object('role', 'user', 'content', replace('Given the context answer the following question: How do I write a select statement with pgml.transform? Context:\n\n{CONTEXT}', '{CONTEXT}', chunk))],
                      args => '{
                        "max_new_tokens": 100
                      }'::jsonb)
                FROM
                    context;
                """.formatted(MODEL, QUESTION, llm, RETRIEVAL);
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            List<String> answers = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(unified)) {
                assertEquals("transform", rs.getMetaData().getColumnName(1));
                while (rs.next()) {
                    answers.add(rs.getString(1));
                }
            }
            assertEquals(1, answers.size(), "top_k 1: one context chunk, one answer");
            // the same steps apart: the best chunk, then the model over the same messages
            String best;
            try (ResultSet rs = s.executeQuery("SELECT chunk FROM rag_chunks ORDER BY id")) {
                List<String> all = new ArrayList<>();
                while (rs.next()) {
                    all.add(rs.getString(1));
                }
                best = null;
                double top = -1;
                for (String chunk : answerCandidates(s, all)) {
                    double score = rankScore(s, chunk);
                    if (score > top) {
                        top = score;
                        best = chunk;
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT pgml.transform(task => '{\"task\": \"conversational\", \"model\": \"" + llm
                    + "\"}'::jsonb, inputs => ARRAY['{\"role\": \"system\", \"content\": \"You are a friendly and helpful chatbot.\"}'::jsonb, "
                    + "jsonb_build_object('role', 'user', 'content', 'Given the context answer the following question: How do I write a "
                    + "select statement with pgml.transform? Context:\n\n' || '" + best.replace("'", "''") + "')], "
                    + "args => '{\"max_new_tokens\": 100}'::jsonb)")) {
                rs.next();
                assertEquals(rs.getString(1), answers.get(0));
            }
        }
    }

    /** The six chunks nearest the question, as the guide's vector search finds them. */
    private static List<String> answerCandidates(Statement s, List<String> all) throws SQLException {
        List<String> nearest = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT c.chunk FROM rag_chunks c JOIN rag_embeddings e ON e.chunk_id = c.id "
                + "ORDER BY e.embedding <=> pgml.embed('" + MODEL + "', '" + QUESTION + "', "
                + "'{\"prompt\": \"Represent this sentence for searching relevant passages: \"}')::real[] LIMIT 6")) {
            while (rs.next()) {
                nearest.add(rs.getString(1));
            }
        }
        assertTrue(all.containsAll(nearest));
        return nearest;
    }

    private static double rankScore(Statement s, String chunk) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT score FROM pgml.rank('" + MODEL + "', '" + QUESTION + "', ARRAY['"
                + chunk.replace("'", "''") + "'])")) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    @Test
    void retrievalAndRerankingInOneStatementEqualTheStepsOneByOne() throws SQLException {
        String unified = """
                %4$s
                SELECT
                    cosine_distance,
                    (rank).score AS rank_score,
                    chunk
                FROM (
                    SELECT
                      cosine_distance,
                      rank,
                      chunk
                    FROM
                        row_number_vector_search AS rnsv1
                    INNER JOIN (
                        SELECT
                          pgml.rank('%1$s', '%2$s', array_agg("chunk"), '{"return_documents": false, "top_k": 6}'::jsonb || '{}') AS rank
                        FROM
                          row_number_vector_search
                    ) AS rnsv2 ON (rank).corpus_id + 1 = rnsv1.row_number
                ) AS sub_query;
                """.formatted(MODEL, QUESTION, null, RETRIEVAL);
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            Map<String, double[]> answer = new HashMap<>();
            try (ResultSet rs = s.executeQuery(unified)) {
                assertEquals("cosine_distance", rs.getMetaData().getColumnName(1));
                assertEquals("rank_score", rs.getMetaData().getColumnName(2));
                assertEquals("chunk", rs.getMetaData().getColumnName(3));
                while (rs.next()) {
                    answer.put(rs.getString(3), new double[] {rs.getDouble(1), rs.getDouble(2)});
                }
            }
            assertEquals(6, answer.size(), "the six nearest chunks, each with its rank score");

            // the same, one step at a time
            String query;
            try (ResultSet rs = s.executeQuery("SELECT pgml.embed('" + MODEL + "', '" + QUESTION + "', "
                    + "'{\"prompt\": \"Represent this sentence for searching relevant passages: \"}')::text")) {
                rs.next();
                query = rs.getString(1);
            }
            List<String> nearest = new ArrayList<>();
            Map<String, Double> distance = new HashMap<>();
            try (ResultSet rs = s.executeQuery("SELECT c.chunk, '" + query + "'::real[] <=> e.embedding FROM rag_chunks c "
                    + "JOIN rag_embeddings e ON e.chunk_id = c.id ORDER BY 2 LIMIT 6")) {
                while (rs.next()) {
                    nearest.add(rs.getString(1));
                    distance.put(rs.getString(1), rs.getDouble(2));
                }
            }
            assertEquals(distance.keySet(), answer.keySet());
            StringBuilder docs = new StringBuilder("ARRAY[");
            for (int i = 0; i < nearest.size(); i++) {
                docs.append(i == 0 ? "" : ", ").append("'").append(nearest.get(i).replace("'", "''")).append("'");
            }
            try (ResultSet rs = s.executeQuery("SELECT corpus_id, score FROM pgml.rank('" + MODEL + "', '" + QUESTION + "', "
                    + docs + "])")) {
                int n = 0;
                while (rs.next()) {
                    String chunk = nearest.get(rs.getInt(1));
                    assertEquals(rs.getDouble(2), answer.get(chunk)[1], 1e-9, chunk);
                    assertEquals(distance.get(chunk), answer.get(chunk)[0], 1e-9, chunk);
                    n++;
                }
                assertEquals(6, n);
            }
            assertTrue(answer.keySet().stream().filter(k -> k.contains("pgml.transform")).count() >= 4,
                    "the transform chunks are nearest: " + answer.keySet());
        }
    }
}
