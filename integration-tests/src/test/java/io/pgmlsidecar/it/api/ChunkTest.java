package io.pgmlsidecar.it.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.NoBufferLeaks;
import org.junit.jupiter.api.extension.ExtendWith;
import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** pgml.chunk alone, over tables (LATERAL, select list, CTE, INSERT … SELECT), and its errors. */
@ExtendWith(NoBufferLeaks.class)
class ChunkTest {

    private static final String TEXT = "Hi.\n\nI'm Harrison.\n\nHow? Are? You?\nOkay then f f f f.\n"
            + "This is a weird text to write, but gotta test the splittingggg some how.\n\nBye!\n\n-H.";
    private final TestCluster cluster = TestCluster.get();

    @Test
    void aloneGivesLangChainsChunksWithOneBasedIndexes() throws Exception {
        try (Connection c = cluster.connect(null);
             PreparedStatement ps = c.prepareStatement("SELECT * FROM pgml.chunk('recursive_character', ?, '{\"chunk_size\": 10, \"chunk_overlap\": 1}')")) {
            ps.setString(1, TEXT);
            List<String> chunks = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals("chunk_index", rs.getMetaData().getColumnName(1));
                assertEquals("int8", rs.getMetaData().getColumnTypeName(1));
                int expected = 1;
                while (rs.next()) {
                    assertEquals(expected++, rs.getLong("chunk_index"));
                    chunks.add(rs.getString("chunk"));
                }
            }
            // LangChain's own expectation for this text (test_iterative_text_splitter)
            assertEquals(List.of("Hi.", "I'm", "Harrison.", "How? Are?", "You?", "Okay then", "f f f f.", "This is a", "weird",
                    "text to", "write,", "but gotta", "test the", "splitting", "gggg", "some how.", "Bye!", "-H."), chunks);
        }
        try (Connection c = cluster.connect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pgml.chunk('character', 'foo bar baz 123', "
                     + "'{\"separator\": \" \", \"chunk_size\": 7, \"chunk_overlap\": 3}')")) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
            assertEquals(List.of("(1,\"foo bar\")", "(2,\"bar baz\")", "(3,\"baz 123\")"), rows);
        }
    }

    @Test
    void overTableRowsInEveryPosition() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS chunk_docs; CREATE TABLE chunk_docs (id int, body text); "
                    + "INSERT INTO chunk_docs VALUES (1, 'one two three four five six'), (2, 'alpha beta'), (3, NULL), "
                    + "(4, 'one two three four five six')");
            String kw = "'{\"separator\": \" \", \"chunk_size\": 9, \"chunk_overlap\": 0}'";
            List<String> lateral = rows(s, "SELECT d.id, c.chunk_index, c.chunk FROM chunk_docs d, "
                    + "LATERAL pgml.chunk('character', d.body, " + kw + ") c ORDER BY d.id, c.chunk_index");
            assertEquals(List.of("1|1|one two", "1|2|three", "1|3|four five", "1|4|six", "2|1|alpha", "2|2|beta",
                    "4|1|one two", "4|2|three", "4|3|four five", "4|4|six"), lateral);
            List<String> filtered = rows(s, "SELECT d.id, c.chunk FROM chunk_docs d LEFT JOIN LATERAL pgml.chunk('character', d.body, "
                    + kw + ") c ON true WHERE d.id IN (2, 3) ORDER BY d.id, c.chunk_index");
            assertEquals(List.of("2|alpha", "2|beta", "3|null"), filtered);
            List<String> selectList = rows(s, "SELECT id, (pgml.chunk('character', body, " + kw + ")).chunk FROM chunk_docs WHERE id = 2");
            assertEquals(List.of("2|alpha", "2|beta"), selectList);
            s.execute("DROP TABLE IF EXISTS chunk_out; CREATE TABLE chunk_out (doc int, idx bigint, chunk text)");
            assertEquals(10, s.executeUpdate("INSERT INTO chunk_out SELECT d.id, c.chunk_index, c.chunk FROM chunk_docs d "
                    + "CROSS JOIN LATERAL pgml.chunk('character', d.body, " + kw + ") c"));
            assertEquals(List.of("10"), rows(s, "SELECT count(*) FROM chunk_out"));
            List<String> cte = rows(s, "WITH c AS (SELECT d.id, x.chunk FROM chunk_docs d, LATERAL pgml.chunk('character', d.body, " + kw
                    + ") x) SELECT id, count(*) FROM c GROUP BY id ORDER BY id");
            assertEquals(List.of("1|4", "2|2", "4|4"), cte);
            List<String> withParam = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT c.chunk FROM chunk_docs d, LATERAL pgml.chunk(?, d.body, ?::jsonb) c "
                    + "WHERE d.id = ? ORDER BY c.chunk_index")) {
                ps.setString(1, "character");
                ps.setString(2, "{\"separator\": \" \", \"chunk_size\": 9, \"chunk_overlap\": 0}");
                ps.setInt(3, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        withParam.add(rs.getString(1));
                    }
                }
            }
            assertEquals(List.of("alpha", "beta"), withParam);
        }
    }

    @Test
    void badInputGetsClearErrors() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            assertError(s, "SELECT * FROM pgml.chunk('sentences', 'some text')", "22023", "unknown splitter");
            assertError(s, "SELECT * FROM pgml.chunk('character', 'some text', '{\"chunk_size\": 0}')", "22023", "chunk_size");
            try (ResultSet rs = s.executeQuery("SELECT chunk FROM pgml.chunk('character', 'some text', "
                    + "'{\"chunk_size\": 10, \"chunk_overlap\": 10}')")) { // an overlap equal to the size: accepted, as LangChain does
                assertTrue(rs.next());
                assertEquals("some text", rs.getString("chunk"));
            }
            assertError(s, "SELECT * FROM pgml.chunk('character', 'some text', '{\"chunk_size\": 10, \"chunk_overlap\": 20}')", "22023",
                    "larger chunk overlap");
            assertError(s, "SELECT * FROM pgml.chunk('character', NULL)", "22004", "NULL");
            assertError(s, "SELECT * FROM pgml.chunk('character', 'x', '{\"chunksize\": 3}')", "22023", "chunksize");
            s.execute("DROP TABLE IF EXISTS chunk_bad; CREATE TABLE chunk_bad (body text); INSERT INTO chunk_bad VALUES ('a b c')");
            assertError(s, "SELECT c.* FROM chunk_bad, LATERAL pgml.chunk('nope', body) c", "22023", "unknown splitter");
            assertEquals(List.of("1"), rows(s, "SELECT 1"), "the session stays usable");
        }
    }

    private static void assertError(Statement s, String sql, String state, String fragment) {
        SQLException e = assertThrows(SQLException.class, () -> rows(s, sql), sql);
        assertEquals(state, e.getSQLState(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    private static List<String> rows(Statement s, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }
}
