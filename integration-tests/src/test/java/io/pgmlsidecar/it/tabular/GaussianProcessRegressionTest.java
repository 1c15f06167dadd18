package io.pgmlsidecar.it.tabular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * gaussian_process regression with the defaults through pgml.train (decision 0023c): a sensible r2 on diabetes where
 * the noise-free default scored −0.14, the test split's pairs stored with the metrics (decision 0025c), and predictions
 * of the deployed model through pgml.predict well below the mean's error.
 */
class GaussianProcessRegressionTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void diabetesWithTheDefaults() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('diabetes')").close();
            s.execute("DELETE FROM pgml.projects WHERE name = 'it_gp_diabetes'");
            s.executeQuery("SELECT * FROM pgml.train('it_gp_diabetes', 'regression', 'pgml.diabetes', 'target', 'gaussian_process')").close();
            try (ResultSet rs = s.executeQuery("SELECT (m.metrics->>'r2')::float8, jsonb_array_length(m.metrics->'test_predictions'->'predicted'), "
                    + "(m.metrics->'test_predictions'->>'rows')::int, (sn.analysis->>'test_samples')::int FROM pgml.models m "
                    + "JOIN pgml.projects p ON p.id = m.project_id JOIN pgml.snapshots sn ON sn.id = m.snapshot_id WHERE p.name = 'it_gp_diabetes'")) {
                assertTrue(rs.next());
                double r2 = rs.getDouble(1);
                assertTrue(r2 > 0.35, "gaussian_process r2 on diabetes " + r2);
                assertEquals(rs.getInt(4), rs.getInt(2), "one stored prediction per test row");
                assertEquals(rs.getInt(4), rs.getInt(3));
            }
            try (ResultSet rs = s.executeQuery("SELECT avg(abs(pgml.predict('it_gp_diabetes', ARRAY[age, sex, bmi, bp, s1, s2, s3, s4, s5, s6]) - target)), "
                    + "avg(abs(target - (SELECT avg(target) FROM pgml.diabetes))) FROM pgml.diabetes")) {
                assertTrue(rs.next());
                assertTrue(rs.getDouble(1) < 0.8 * rs.getDouble(2),
                        "mean absolute error " + rs.getDouble(1) + " well below the mean's " + rs.getDouble(2));
            }
        }
    }
}
