package io.pgmlsidecar.it.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.TinyTaskModels;
import io.pgmlsidecar.proxy.ProxyServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * {@code UPDATE t SET c = pgml.transform('text-classification', args, ARRAY[body])} classified on a real Spark
 * (local[2], spark-job's BulkJob in a child JVM on a JDK 17) with the sidecar's model files and its own classification
 * code, written into a staging table and applied in the client's transaction; compared with the same UPDATE run in the
 * sidecar ({@code "engine": "local"}).
 */
class SparkTransformTest {

    private static final TestCluster CLUSTER = TestCluster.get();
    private static final String TASK = "'{\"task\": \"text-classification\", \"model\": \"" + TinyTaskModels.SENTIMENT + "\"}'::jsonb";
    private static final int ROWS = 6_000;
    private static ProxyServer sidecar;

    @BeforeAll
    static void startSidecarWithSpark() throws Exception {
        TinyTaskModels.install();
        sidecar = SparkBulkFixtures.localSparkSidecar(CLUSTER);
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS spark_tc_reviews, spark_tc_small");
            s.execute("DROP ROLE IF EXISTS spark_tc_nobody");
            // reviews whose sentiment the tiny model reads word by word; every 7th is longer than its 64 tokens, and the
            // words past the cut would flip it: the label shows that both engines truncate alike
            s.execute("CREATE TABLE spark_tc_reviews (id int PRIMARY KEY, body text, result jsonb, result_local jsonb, "
                    + "label text, label_local text, top2 jsonb, top2_local jsonb)");
            s.execute("INSERT INTO spark_tc_reviews (id, body) SELECT i, "
                    + "repeat('good ', i % 3) || repeat('bad ', i % 4) || repeat('movie ', i % 5) || 'review ' || i"
                    + " || CASE WHEN i % 7 = 0 THEN repeat(' plain', 70) || repeat(' awful', 9) ELSE '' END"
                    + " || CASE WHEN i % 11 = 0 THEN ' great' ELSE '' END FROM generate_series(1, " + ROWS + ") i");
            s.execute("ANALYZE spark_tc_reviews");
            s.execute("CREATE TABLE spark_tc_small AS SELECT id, body, result FROM spark_tc_reviews WHERE id <= 300");
            s.execute("ANALYZE spark_tc_small");
            s.execute("CREATE ROLE spark_tc_nobody LOGIN");
            // sentences with people and places the tiny NER model knows; every 5th is longer than its 64 tokens
            s.execute("DROP TABLE IF EXISTS spark_ner_docs");
            s.execute("CREATE TABLE spark_ner_docs (id int PRIMARY KEY, body text, tokens jsonb, tokens_local jsonb, "
                    + "entities jsonb, entities_local jsonb, windows jsonb, windows_local jsonb)");
            s.execute("INSERT INTO spark_ner_docs (id, body) SELECT i, (ARRAY['john smith', 'johnson', 'a man'])[i % 3 + 1] || ' went to '"
                    + " || (ARRAY['paris', 'new york', 'berlin', 'london', 'the shop'])[i % 5 + 1]"
                    + " || CASE WHEN i % 5 = 0 THEN repeat(' and then', 30) || ' to london with john' ELSE '' END || ' ' || i"
                    + " FROM generate_series(1, 2000) i");
            s.execute("ANALYZE spark_ner_docs");
        }
    }

    @AfterAll
    static void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    private static Connection session(String user) throws SQLException {
        return SparkBulkFixtures.session(sidecar, user);
    }

    @Test
    void sixThousandRowsClassifiedOnSparkEqualTheSidecarsPipeline() throws Exception {
        try (Connection c = session("postgres"); Statement s = c.createStatement()) {
            long t0 = System.nanoTime();
            // no engine named: 6,000 rows reach this sidecar's pgml.spark.auto-above-rows (5000)
            assertEquals(ROWS, s.executeUpdate("UPDATE spark_tc_reviews SET result = pgml.transform(" + TASK + ", inputs => ARRAY[body])"));
            List<String> notices = SparkBulkFixtures.warnings(s);
            System.out.printf("spark local[2] classified %d rows in %.1f s%n", ROWS, (System.nanoTime() - t0) / 1e9);
            assertTrue(notices.stream().anyMatch(n -> n.startsWith("Classifying on spark: spark_tc_reviews has about 6000 rows")), notices.toString());
            assertTrue(notices.stream().anyMatch(n -> n.startsWith("Spark classified 6000 rows")), notices.toString());
            // an expression around the call, named arguments, the args' own keys: PostgreSQL evaluates ->0->>'label' on the staged result
            assertEquals(ROWS, s.executeUpdate("UPDATE spark_tc_reviews AS r SET label = pgml.transform(task => " + TASK
                    + ", args => '{\"engine\": \"spark\", \"function_to_apply\": \"sigmoid\"}', inputs => ARRAY[r.body])->0->>'label'"));
            assertEquals(ROWS, s.executeUpdate("UPDATE spark_tc_reviews SET top2 = pgml.transform(" + TASK
                    + ", '{\"engine\": \"spark\", \"top_k\": 2}'::jsonb, ARRAY[body])"));
            assertTrue(SparkBulkFixtures.warnings(s).stream().anyMatch(n -> n.startsWith("Spark classified 6000 rows")));

            // the same statements in the sidecar
            s.executeUpdate("UPDATE spark_tc_reviews SET result_local = pgml.transform(" + TASK
                    + ", '{\"engine\": \"local\"}', inputs => ARRAY[body])");
            assertTrue(SparkBulkFixtures.warnings(s).stream().noneMatch(n -> n.contains("park")), "local stays local");
            s.executeUpdate("UPDATE spark_tc_reviews AS r SET label_local = pgml.transform(task => " + TASK
                    + ", args => '{\"engine\": \"local\", \"function_to_apply\": \"sigmoid\"}', inputs => ARRAY[r.body])->0->>'label'");
            s.executeUpdate("UPDATE spark_tc_reviews SET top2_local = pgml.transform(" + TASK + ", '{\"top_k\": 2}'::jsonb, ARRAY[body])");
        }
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(result), count(*) FILTER (WHERE result->0->>'label' IS DISTINCT FROM result_local->0->>'label'), "
                     + "max(abs((result->0->>'score')::float8 - (result_local->0->>'score')::float8)), "
                     + "count(*) FILTER (WHERE label IS DISTINCT FROM label_local), "
                     + "count(*) FILTER (WHERE jsonb_array_length(top2->0) <> 2 OR top2->0->0->>'label' IS DISTINCT FROM top2_local->0->0->>'label' "
                     + "OR top2->0->1->>'label' IS DISTINCT FROM top2_local->0->1->>'label'), "
                     + "max(abs((top2->0->1->>'score')::float8 - (top2_local->0->1->>'score')::float8)), "
                     + "count(DISTINCT result->0->>'label'), count(*) FILTER (WHERE id % 7 = 0 AND result->0->>'label' = 'NEGATIVE' "
                     + "AND result_local->0->>'label' = 'NEGATIVE'), count(*) FILTER (WHERE jsonb_typeof(result) <> 'array' "
                     + "OR jsonb_array_length(result) <> 1 OR (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(result->0) k) <> '{label,score}') "
                     + "FROM spark_tc_reviews")) {
            rs.next();
            assertEquals(ROWS, rs.getInt(1), "every row classified");
            assertEquals(0, rs.getInt(2), "the labels equal the sidecar's");
            double worst = rs.getDouble(3);
            assertTrue(worst <= 1e-5, "scores equal the sidecar's within 1e-5: " + worst);
            assertEquals(0, rs.getInt(4), "->0->>'label' with function_to_apply sigmoid equals the sidecar's");
            assertEquals(0, rs.getInt(5), "top_k 2: both labels in the sidecar's order");
            assertTrue(rs.getDouble(6) <= 1e-5, "top_k scores: " + rs.getDouble(6));
            assertEquals(2, rs.getInt(7), "both labels occur");
            assertTrue(rs.getInt(8) < ROWS / 7, "the words past the 64-token cut are not read (else every 7th would be NEGATIVE): " + rs.getInt(8));
            assertEquals(0, rs.getInt(9), "each result is PostgresML's [{\"label\", \"score\"}] for one input");
            System.out.printf("largest score difference, Spark vs sidecar: %.3g%n", worst);
        }
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
    }

    @Test
    void entitiesFoundOnSparkEqualTheSidecarsNerPipeline() throws Exception {
        String ner = "'{\"task\": \"ner\", \"model\": \"" + TinyTaskModels.NER + "\"}'::jsonb";
        try (Connection c = session("postgres"); Statement s = c.createStatement()) {
            // per token, grouped entities, and long texts read whole in overlapping windows
            for (String[] column : List.of(new String[] {"tokens", "{}"}, new String[] {"entities", "{\"aggregation_strategy\": \"simple\"}"},
                    new String[] {"windows", "{\"aggregation_strategy\": \"first\", \"stride\": 16}"})) {
                String args = column[1].substring(1, column[1].length() - 1);
                String spark = "{\"engine\": \"spark\"" + (args.isEmpty() ? "" : ", " + args) + "}";
                assertEquals(2000, s.executeUpdate("UPDATE spark_ner_docs SET " + column[0] + " = pgml.transform(" + ner + ", '" + spark
                        + "', ARRAY[body])"));
                assertTrue(SparkBulkFixtures.warnings(s).stream().anyMatch(n -> n.startsWith("Spark classified 2000 rows")),
                        SparkBulkFixtures.warnings(s).toString());
                s.executeUpdate("UPDATE spark_ner_docs SET " + column[0] + "_local = pgml.transform(" + ner + ", '" + column[1] + "', ARRAY[body])");
            }
        }
        try (Connection c = CLUSTER.connectDirect(null); Statement s = c.createStatement()) {
            for (String column : List.of("tokens", "entities", "windows")) {
                // element by element: the same entities, words and offsets in the same order, scores within 1e-5
                String compare = "WITH a AS (SELECT d.id, e.n, e.v FROM spark_ner_docs d, jsonb_array_elements(d." + column
                        + "->0) WITH ORDINALITY e(v, n)), b AS (SELECT d.id, e.n, e.v FROM spark_ner_docs d, jsonb_array_elements(d."
                        + column + "_local->0) WITH ORDINALITY e(v, n)) SELECT count(*), count(*) FILTER (WHERE a.v IS NULL OR b.v IS NULL "
                        + "OR (a.v - 'score') <> (b.v - 'score')), max(abs((a.v->>'score')::float8 - (b.v->>'score')::float8)), "
                        + "(SELECT count(*) FROM spark_ner_docs WHERE jsonb_typeof(" + column + ") <> 'array' OR jsonb_array_length(" + column
                        + ") <> 1) FROM a FULL JOIN b ON a.id = b.id AND a.n = b.n";
                try (ResultSet rs = s.executeQuery(compare)) {
                    rs.next();
                    assertTrue(rs.getInt(1) > 2000, column + ": entities found: " + rs.getInt(1));
                    assertEquals(0, rs.getInt(2), column + ": every entity equals the sidecar's");
                    assertTrue(rs.getDouble(3) <= 1e-5, column + ": scores within 1e-5: " + rs.getDouble(3));
                    assertEquals(0, rs.getInt(4), column + ": each result is one list, for the one input");
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM spark_ner_docs WHERE id % 5 = 0 AND windows::text LIKE '%\"end\": ' "
                    + "|| (length(body) - length(' ' || id)) || '%' AND entities::text NOT LIKE '%\"end\": ' || (length(body) - length(' ' || id)) || '%'")) {
                rs.next();
                assertEquals(400, rs.getInt(1), "with stride the john at the end of the long texts is found, cut off without it");
            }
        }
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
    }

    @Test
    void aRolledBackTransactionUndoesItAndWhatSparkCannotRunIsAClearError() throws Exception {
        try (Connection c = session("postgres"); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            assertEquals(100, s.executeUpdate("UPDATE spark_tc_small SET result = pgml.transform(" + TASK
                    + ", '{\"engine\": \"spark\"}', ARRAY[body]) WHERE id > 200"));
            try (ResultSet rs = s.executeQuery("SELECT count(result) FROM spark_tc_small")) {
                rs.next();
                assertEquals(100, rs.getInt(1), "visible in its own transaction");
            }
            c.rollback();
            try (ResultSet rs = s.executeQuery("SELECT count(result) FROM spark_tc_small")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "rolled back with the transaction");
            }
            c.commit();
            c.setAutoCommit(true);

            PSQLException e = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_tc_small SET result = pgml.transform("
                    + "'{\"task\": \"fill-mask\", \"model\": \"" + TinyTaskModels.FILL_MASK + "\"}'::jsonb, '{\"engine\": \"spark\"}', ARRAY[body])"));
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("runs text-classification (sentiment-analysis) and token-classification (ner)"), e.getMessage());
            e = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_tc_small SET result = pgml.transform(" + TASK
                    + ", '{\"engine\": \"spark\"}', ARRAY[body, 'x'])"));
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("ARRAY[one text expression]"), e.getMessage());
            e = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_tc_small SET result = pgml.transform(" + TASK
                    + ", '{\"engine\": \"spark\"}', ARRAY[body]) RETURNING id"));
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("RETURNING"), e.getMessage());
            e = assertThrows(PSQLException.class, () -> s.executeQuery("SELECT pgml.transform(" + TASK
                    + ", '{\"engine\": \"spark\"}', ARRAY[body]) FROM spark_tc_small"));
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("serves UPDATE table SET col = pgml.transform"), e.getMessage());
            e = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_tc_small SET result = pgml.transform(" + TASK
                    + ", '{\"engine\": \"spark\", \"top_k\": 0}', ARRAY[body])"));
            assertEquals("22023", e.getSQLState(), "the pipeline's own argument check, before any job: " + e.getMessage());

            // a NULL input is the sidecar's 22004 from the job too, and nothing is written
            s.execute("UPDATE spark_tc_small SET body = NULL WHERE id = 150");
            e = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_tc_small SET result = pgml.transform(" + TASK
                    + ", '{\"engine\": \"spark\"}', ARRAY[body])"));
            assertEquals("22004", e.getSQLState(), e.getMessage());
            PSQLException local = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_tc_small SET result = pgml.transform("
                    + TASK + ", '{\"engine\": \"local\"}', ARRAY[body])"));
            assertEquals("22004", local.getSQLState(), "as in the sidecar: " + local.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT count(result), count(*) FROM spark_tc_small")) {
                assertTrue(rs.next(), "the session stays usable");
                assertEquals(0, rs.getInt(1), "nothing written");
                assertEquals(300, rs.getInt(2));
            }
            s.execute("UPDATE spark_tc_small SET body = 'good again' WHERE id = 150");
        }
        try (Connection c = session("spark_tc_nobody"); Statement s = c.createStatement()) {
            PSQLException e = assertThrows(PSQLException.class, () -> s.executeUpdate("UPDATE spark_tc_small SET result = pgml.transform("
                    + TASK + ", '{\"engine\": \"spark\"}', ARRAY[body])"));
            assertEquals("42501", e.getSQLState());
            assertTrue(e.getMessage().contains("permission denied for table spark_tc_small"), e.getMessage());
        }
        SparkBulkFixtures.assertNothingLeft(CLUSTER);
    }
}
