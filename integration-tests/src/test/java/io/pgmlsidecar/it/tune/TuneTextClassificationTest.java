package io.pgmlsidecar.it.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The seed's fine-tuning flow through the sidecar: pgml.tune text-classification on product reviews
 * the test writes, then pgml.predict / predict_proba / transform on the project, deploy rollback,
 * a text-pair task, and bad input that leaves nothing behind.
 */
class TuneTextClassificationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENCODER = "sentence-transformers/all-MiniLM-L6-v2";

    /** Short reviews: a template, a product and a verdict phrase of known sentiment (deterministic). */
    static List<String[]> reviews(int n, long seed) {
        String[] products = {"headphones", "blender", "laptop bag", "coffee maker", "phone case", "desk lamp", "running shoes",
            "water bottle", "keyboard", "backpack", "toaster", "jacket"};
        String[] good = {"works perfectly and I love it", "is excellent value, highly recommended", "exceeded my expectations",
            "is wonderful, great quality", "is fantastic, would buy again", "is the best purchase I made this year",
            "feels sturdy and works great", "arrived quickly and is amazing"};
        String[] bad = {"broke after two days", "is terrible, a waste of money", "stopped working within a week",
            "is awful and cheaply made", "was a huge disappointment", "arrived damaged and useless",
            "is the worst thing I ever bought", "feels flimsy and does not work"};
        String[] templates = {"The %s %s.", "My new %s %s.", "This %s %s!", "Honestly, the %s %s."};
        Random r = new Random(seed);
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean positive = r.nextBoolean();
            String[] verdicts = positive ? good : bad;
            out.add(new String[] {String.format(templates[r.nextInt(templates.length)], products[r.nextInt(products.length)],
                    verdicts[r.nextInt(verdicts.length)]), positive ? "positive" : "negative"});
        }
        return out;
    }

    private static void fill(Connection c, String table, List<String[]> rows) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table + " CASCADE; CREATE TABLE " + table + " (id serial, text text, class text)");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (text, class) VALUES (?, ?)")) {
            for (String[] r : rows) {
                ps.setString(1, r[0]);
                ps.setString(2, r[1]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static String tune(String project, String table, String trainingArgs) {
        return "SELECT * FROM pgml.tune('" + project + "', task => 'text-classification', relation_name => '" + table
                + "', model_name => '" + ENCODER + "', test_size => 0.2, test_sampling => 'last', hyperparams => '{\"training_args\": "
                + trainingArgs + ", \"dataset_args\": {\"text_column\": \"text\", \"class_column\": \"class\"}}')";
    }

    @Test
    void tunePredictTransformAndRollback() throws Exception {
        TestCluster cluster = TestCluster.get();
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DELETE FROM pgml.projects WHERE name = 'it_review_sentiment'");
            fill(c, "it_tune_reviews", reviews(400, 1));
            fill(c, "it_tune_holdout", reviews(120, 2));
            try (ResultSet rs = s.executeQuery(tune("it_review_sentiment", "it_tune_reviews",
                    "{\"num_train_epochs\": 3, \"per_device_train_batch_size\": 16, \"learning_rate\": 2e-5, \"seed\": 42}"))) {
                assertTrue(rs.next());
                assertEquals("it_review_sentiment", rs.getString("status"));
                assertEquals("text_classification", rs.getString("task"));
                assertEquals("transformers", rs.getString("algorithm"));
                assertTrue(rs.getBoolean("deployed"));
            }
            long firstModel;
            double storedF1;
            try (ResultSet rs = s.executeQuery("SELECT m.id, (m.metrics->>'f1')::float8, (m.metrics->>'accuracy')::float8, m.runtime::text, "
                    + "(SELECT count(*) FROM pgml.logs l WHERE l.model_id = m.id AND l.logs ? 'eval_f1' AND l.logs ? 'epoch' "
                    + "AND l.logs ? 'step' AND l.logs ? 'timestamp'), "
                    + "(SELECT count(*) FROM pgml.files f WHERE f.model_id = m.id AND f.path = 'model.onnx') "
                    + "FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = 'it_review_sentiment'")) {
                assertTrue(rs.next());
                firstModel = rs.getLong(1);
                storedF1 = rs.getDouble(2);
                assertTrue(rs.getDouble(3) >= 0.85, "accuracy " + rs.getDouble(3));
                assertEquals("rust", rs.getString(4));
                assertEquals(3, rs.getInt(5), "one evaluation log row per epoch");
                assertTrue(rs.getInt(6) >= 1, "the ONNX graph is in pgml.files");
            }

            // held-out rows the tune never saw: predictions over a table's rows (S2)
            int correct = 0;
            int total = 0;
            try (ResultSet rs = s.executeQuery("SELECT class, pgml.predict('it_review_sentiment', text) FROM it_tune_holdout")) {
                while (rs.next()) {
                    total++;
                    // labels are sorted: negative = 0, positive = 1
                    if ((rs.getFloat(2) == 1f) == rs.getString(1).equals("positive")) {
                        correct++;
                    }
                }
            }
            assertEquals(120, total);
            assertTrue(correct / (double) total >= 0.85, "held-out accuracy " + correct / (double) total);

            // the stored f1 is that of the test split, the relation's last 20% ('last' sampling), recomputed from predictions
            int tp = 0;
            int fp = 0;
            int fn = 0;
            try (ResultSet rs = s.executeQuery("SELECT class, pgml.predict('it_review_sentiment', text) FROM it_tune_reviews "
                    + "WHERE id > 320 ORDER BY id")) {
                while (rs.next()) {
                    boolean actual = rs.getString(1).equals("positive");
                    boolean predicted = rs.getFloat(2) == 1f;
                    tp += actual && predicted ? 1 : 0;
                    fp += !actual && predicted ? 1 : 0;
                    fn += actual && !predicted ? 1 : 0;
                }
            }
            assertEquals(2.0 * tp / (2.0 * tp + fp + fn), storedF1, 1e-6);

            try (ResultSet rs = s.executeQuery("SELECT pgml.predict_proba('it_review_sentiment', 'This toaster is wonderful, great quality!')")) {
                assertTrue(rs.next());
                Float[] p = (Float[]) rs.getArray(1).getArray();
                assertEquals(2, p.length);
                assertEquals(1.0, p[0] + p[1], 1e-5);
                assertTrue(p[1] > p[0], "positive is more likely: " + p[0] + ", " + p[1]);
            }
            JsonNode t = JSON.readTree(one(s, "SELECT pgml.transform('{\"task\": \"text-classification\", \"model\": \"it_review_sentiment\"}'::jsonb, "
                    + "inputs => ARRAY['The keyboard broke after two days.'])"));
            replicaServesTheTunedModel(cluster);
            assertEquals("negative", t.get(0).get("label").asText());
            assertTrue(t.get(0).get("score").asDouble() > 0.5);

            // tune again, then roll back to the first model
            try (ResultSet rs = s.executeQuery(tune("it_review_sentiment", "it_tune_reviews", "{\"num_train_epochs\": 1, \"seed\": 3}"))) {
                assertTrue(rs.next());
            }
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.deploy('it_review_sentiment', 'most_recent')")) {
                assertTrue(rs.next());
            }
            assertNotEquals(firstModel, deployedModel(s, "it_review_sentiment"));
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.deploy('it_review_sentiment', 'rollback')")) {
                assertTrue(rs.next());
                assertEquals("transformers", rs.getString("algorithm"));
            }
            assertEquals(firstModel, deployedModel(s, "it_review_sentiment"));
        }
    }

    /** A second sidecar with its own runtime and work directory serves the model from pgml.files alone. */
    private static void replicaServesTheTunedModel(TestCluster cluster) throws Exception {
        java.nio.file.Path work = java.nio.file.Files.createTempDirectory("pgml-sidecar-it-replica-");
        io.pgmlsidecar.ml.MlConfig config = io.pgmlsidecar.ml.MlConfig.builder().modelsDir(work.resolve("models"))
                .workDir(work.resolve("work")).hubDownload(false).build();
        try (io.pgmlsidecar.ml.transformers.TransformService own = new io.pgmlsidecar.ml.transformers.TransformService(config)) {
            io.pgmlsidecar.proxy.ProxyServer replica = TestCluster.startSidecar(cluster.postgresPort(), null, own);
            try (Connection a = cluster.connect(null); Statement sa = a.createStatement();
                 Connection b = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + replica.port() + "/postgres", "postgres", "");
                 Statement sb = b.createStatement()) {
                String sql = "SELECT pgml.predict_proba('it_review_sentiment', 'My new backpack is wonderful, great quality.')";
                assertEquals(one(sa, sql), one(sb, sql), "the replica gives the same probabilities");
                assertTrue(java.nio.file.Files.isDirectory(work.resolve("work").resolve("tuned")), "copied out of pgml.files");
            } finally {
                replica.close();
            }
        }
    }

    @Test
    void textPairClassification() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            s.execute("DELETE FROM pgml.projects WHERE name = 'it_qa_relevance'");
            s.execute("DROP TABLE IF EXISTS it_qa_pairs; CREATE TABLE it_qa_pairs (id serial, question text, answer text, relevant text)");
            String[][] qa = {{"How do I reset my password?", "Click 'forgot password' on the login page and follow the email link."},
                {"What time does the store open?", "The store opens at 9 am every weekday."},
                {"How long is shipping?", "Orders arrive within three to five business days."},
                {"Can I return an item?", "Returns are accepted within 30 days with a receipt."},
                {"Which payment methods do you take?", "We accept credit cards, PayPal and bank transfer."},
                {"Is there a warranty?", "Every product carries a two-year warranty."}};
            Random r = new Random(5);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO it_qa_pairs (question, answer, relevant) VALUES (?, ?, ?)")) {
                for (int i = 0; i < 240; i++) {
                    int q = r.nextInt(qa.length);
                    boolean match = r.nextBoolean();
                    int a = match ? q : (q + 1 + r.nextInt(qa.length - 1)) % qa.length;
                    ps.setString(1, qa[q][0]);
                    ps.setString(2, qa[a][1]);
                    ps.setString(3, match ? "yes" : "no");
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.tune('it_qa_relevance', task => 'text-pair-classification', "
                    + "relation_name => 'it_qa_pairs', model_name => '" + ENCODER + "', hyperparams => '{\"training_args\": "
                    + "{\"num_train_epochs\": 5, \"seed\": 1}, \"dataset_args\": {\"text1_column\": \"question\", \"text2_column\": "
                    + "\"answer\", \"class_column\": \"relevant\"}}')")) {
                assertTrue(rs.next());
                assertEquals("text_pair_classification", rs.getString("task"));
            }
            try (ResultSet rs = s.executeQuery("SELECT (metrics->>'accuracy')::float8 FROM pgml.models m JOIN pgml.projects p "
                    + "ON p.id = m.project_id WHERE p.name = 'it_qa_relevance'")) {
                assertTrue(rs.next());
                assertTrue(rs.getDouble(1) >= 0.75, "pair accuracy " + rs.getDouble(1));
            }
            // labels sorted: no = 0, yes = 1
            try (ResultSet rs = s.executeQuery("SELECT pgml.predict('it_qa_relevance', ROW('What time does the store open?', "
                    + "'The store opens at 9 am every weekday.'))")) {
                assertTrue(rs.next());
                assertEquals(1f, rs.getFloat(1));
            }
        }
    }

    @Test
    void badInputLeavesNothingBehind() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_tune_bad; CREATE TABLE it_tune_bad (id int, text text, score int, class text)");
            s.execute("INSERT INTO it_tune_bad VALUES (1, 'good', 1, 'positive'), (2, 'fine', 2, 'positive')");
            assertEquals("42703", fails(s, "SELECT * FROM pgml.tune('it_bad_tune', 'text-classification', 'it_tune_bad', "
                    + "hyperparams => '{\"dataset_args\": {\"text_column\": \"body\"}}')"));
            assertEquals("42804", fails(s, "SELECT * FROM pgml.tune('it_bad_tune', 'text-classification', 'it_tune_bad', "
                    + "hyperparams => '{\"dataset_args\": {\"text_column\": \"score\"}}')"));
            assertEquals("22023", fails(s, "SELECT * FROM pgml.tune('it_bad_tune', 'text-classification', 'it_tune_bad')"),
                    "one class only");
            s.execute("TRUNCATE it_tune_bad");
            assertEquals("22023", fails(s, "SELECT * FROM pgml.tune('it_bad_tune', 'text-classification', 'it_tune_bad')"),
                    "empty relation");
            assertEquals("22023", fails(s, "SELECT * FROM pgml.tune('it_bad_tune', 'text-classification', 'it_tune_bad', "
                    + "hyperparams => '{\"dataset_args\": {}, \"unknown\": 1}')"));
            assertEquals("42P01", fails(s, "SELECT * FROM pgml.tune('it_bad_tune', 'text-classification', 'no_such_table')"));
            try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM pgml.projects WHERE name = 'it_bad_tune'), "
                    + "(SELECT count(*) FROM pgml.snapshots WHERE relation_name = 'it_tune_bad')")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "no half-created project");
                assertEquals(0, rs.getInt(2), "no snapshot either");
            }
        }
    }

    @Test
    void cancelStopsTuningAndWritesNothing() throws Exception {
        try (Connection c = TestCluster.get().connect(null); Statement s = c.createStatement()) {
            s.execute("DELETE FROM pgml.projects WHERE name = 'it_cancelled_tune'");
            fill(c, "it_tune_cancel", reviews(200, 9));
            Thread canceller = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(4000);
                    s.cancel();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(tune("it_cancelled_tune", "it_tune_cancel",
                    "{\"num_train_epochs\": 100000}")).close());
            canceller.join();
            assertEquals("57014", e.getSQLState(), e.getMessage());
            assertTrue((System.nanoTime() - t0) / 1e9 < 60, "stopped soon after the cancel");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.projects WHERE name = 'it_cancelled_tune'")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
            }
        }
    }

    private static String fails(Statement s, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql).close());
        return e.getSQLState();
    }

    private static long deployedModel(Statement s, String project) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT d.model_id FROM pgml.deployments d JOIN pgml.projects p ON p.id = d.project_id "
                + "WHERE p.name = '" + project + "' ORDER BY d.created_at DESC, d.id DESC LIMIT 1")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}
