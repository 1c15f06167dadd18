package io.pgmlsidecar.it.tabular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * algorithm => 'lightgbm' through the sidecar: train with LightGBM's own parameter names (PostgresML hands
 * the hyperparams object to LightGBM unchanged), deploy by algorithm, predict through pgjdbc.
 */
class LightgbmTrainDeployPredictTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void digitsClassificationDeployedByAlgorithmAndPredicted() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('digits')").close();
            s.executeQuery("SELECT * FROM pgml.train('it_lgbm_digits', 'classification', 'pgml.digits', 'target', 'linear')").close();
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('it_lgbm_digits', algorithm => 'lightgbm', "
                    + "hyperparams => '{\"num_iterations\": 40, \"num_leaves\": 15, \"learning_rate\": 0.2, \"min_data_in_leaf\": 5}', "
                    + "automatic_deploy => false)")) {
                assertTrue(rs.next());
                assertEquals("lightgbm", rs.getString("algorithm"));
                assertEquals(false, rs.getBoolean("deployed"), "automatic_deploy => false leaves the linear model deployed");
            }
            double f1;
            try (ResultSet rs = s.executeQuery("SELECT (m.metrics->>'f1')::float8, m.hyperparams->>'num_leaves' FROM pgml.models m "
                    + "JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = 'it_lgbm_digits' AND m.algorithm = 'lightgbm'")) {
                assertTrue(rs.next());
                f1 = rs.getDouble(1);
                assertTrue(f1 > 0.9, "lightgbm f1 on digits " + f1);
                assertEquals("15", rs.getString(2), "the hyperparameters are recorded as given");
            }
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.deploy('it_lgbm_digits', 'best_score', 'lightgbm')")) {
                assertTrue(rs.next());
                assertEquals("best_score", rs.getString("strategy"));
                assertEquals("lightgbm", rs.getString("algorithm"));
            }
            try (ResultSet rs = s.executeQuery("SELECT algorithm FROM pgml.deployed_models WHERE name = 'it_lgbm_digits'")) {
                assertTrue(rs.next());
                assertEquals("lightgbm", rs.getString(1));
            }
        }
        // a fresh session with binary transfer and server-side prepared statements reads the deployed model back
        try (Connection c = cluster.connect("prepareThreshold=1&binaryTransfer=true");
             PreparedStatement rows = c.prepareStatement("SELECT target, image FROM pgml.digits ORDER BY ctid LIMIT 300");
             PreparedStatement predict = c.prepareStatement("SELECT pgml.predict(?, ?::real[]), pgml.predict_proba(?, ?::real[])")) {
            int correct = 0;
            int total = 0;
            try (ResultSet rs = rows.executeQuery()) {
                while (rs.next()) {
                    int target = rs.getInt(1);
                    String image = flatten(rs.getString(2));
                    predict.setString(1, "it_lgbm_digits");
                    predict.setString(2, image);
                    predict.setString(3, "it_lgbm_digits");
                    predict.setString(4, image);
                    try (ResultSet p = predict.executeQuery()) {
                        assertTrue(p.next());
                        float label = p.getFloat(1);
                        Float[] proba = (Float[]) p.getArray(2).getArray();
                        assertEquals(10, proba.length);
                        float sum = 0;
                        int argmax = 0;
                        for (int k = 0; k < proba.length; k++) {
                            sum += proba[k];
                            argmax = proba[k] > proba[argmax] ? k : argmax;
                        }
                        assertEquals(1.0, sum, 1e-4);
                        assertEquals(argmax, (int) label, "predict is the most probable class of predict_proba");
                        correct += (int) label == target ? 1 : 0;
                        total++;
                    }
                }
            }
            assertEquals(300, total);
            assertTrue(correct >= 285, "lightgbm on rows it mostly trained on: " + correct + "/300");
        }
        // predictions over rows, batched by the sidecar, agree with the one-at-a-time ones above
        try (Connection c = cluster.connect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE pgml.predict('it_lgbm_digits', image) = target), count(*) "
                     + "FROM pgml.digits")) {
            assertTrue(rs.next());
            assertEquals(1797, rs.getInt(2));
            assertTrue(rs.getInt(1) >= 1700, "accuracy over all digits " + rs.getInt(1) + "/1797");
        }
    }

    @Test
    void diabetesRegressionWithASearchOverLightgbmParameters() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('diabetes')").close();
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('it_lgbm_diabetes', 'regression', 'pgml.diabetes', 'target', 'lightgbm', "
                    + "hyperparams => '{\"learning_rate\": 0.05, \"num_iterations\": 60}', search => 'grid', "
                    + "search_params => '{\"num_leaves\": [4, 8], \"min_data_in_leaf\": [10, 20]}')")) {
                assertTrue(rs.next());
                assertEquals("lightgbm", rs.getString("algorithm"));
                assertTrue(rs.getBoolean("deployed"));
            }
            try (ResultSet rs = s.executeQuery("SELECT (m.metrics->>'r2')::float8, m.hyperparams "
                    + "FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = 'it_lgbm_diabetes'")) {
                assertTrue(rs.next());
                double r2 = rs.getDouble(1);
                assertTrue(r2 > 0.3, "lightgbm r2 on diabetes " + r2);
                String hp = rs.getString(2);
                assertNotNull(hp);
                assertTrue(hp.contains("num_leaves") && hp.contains("min_data_in_leaf") && hp.contains("learning_rate"),
                        "the best candidate's parameters, the fixed ones included: " + hp);
            }
            try (ResultSet rs = s.executeQuery("SELECT avg(abs(pgml.predict('it_lgbm_diabetes', ARRAY[age, sex, bmi, bp, s1, s2, s3, s4, s5, s6]) - target)), "
                    + "avg(abs(target - (SELECT avg(target) FROM pgml.diabetes))) FROM pgml.diabetes")) {
                assertTrue(rs.next());
                assertTrue(rs.getDouble(1) < 0.8 * rs.getDouble(2),
                        "mean absolute error " + rs.getDouble(1) + " well below the mean's " + rs.getDouble(2));
            }
            // a name LightGBM does not know is refused with the list of where to look; the session goes on
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM pgml.train('it_lgbm_diabetes', "
                    + "algorithm => 'lightgbm', hyperparams => '{\"num_leafs\": 8}')"));
            assertTrue(e.getMessage().contains("num_leafs"), e.getMessage());
            assertTrue(e.getSQLState().startsWith("22"), "an invalid parameter value, got " + e.getSQLState());
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id "
                    + "WHERE p.name = 'it_lgbm_diabetes'")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "the refused training stored no model");
            }
        }
    }

    /**
     * LightGBM's ranking objectives need query groups, which pgml.train cannot name (PostgresML has no ranking task
     * and its LightGBM fails without query information): a clear error before any training, under every alias.
     */
    @Test
    void rankingObjectivesAreRefusedWithTheWayToRank() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('diabetes')").close();
            for (String hp : new String[]{"{\"objective\": \"lambdarank\"}", "{\"application\": \"rank_xendcg\"}"}) {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM pgml.train('it_lgbm_rank', "
                        + "'regression', 'pgml.diabetes', 'target', 'lightgbm', hyperparams => '" + hp + "')"));
                assertEquals("22023", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("needs query groups"), e.getMessage());
                String hint = ((org.postgresql.util.PSQLException) e).getServerErrorMessage().getHint();
                assertTrue(hint != null && hint.contains("pgml.predict"), "hint: " + hint);
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id "
                    + "WHERE p.name = 'it_lgbm_rank'")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "nothing was trained");
            }
        }
    }

    /** A smallint[][] image as text ({{0,1},{2,3}}) flattened into a real[] literal ({0,1,2,3}). */
    private static String flatten(String image) {
        return "{" + image.replace("{", "").replace("}", "") + "}";
    }
}
