package io.pgmlsidecar.it.tabular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Array feature columns of every numeric type train alike: int2/int4/int8/float4/float8 arrays are
 * fetched in PostgreSQL's binary format, numeric[] as text. The label is an exact linear function
 * of all elements, so any element read wrong (order, type, a NULL) shows in r2 and in predictions.
 */
class ArrayFeatureTypesTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void everyNumericArrayTypeFeedsTheModel() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_array_types");
            s.execute("""
                    CREATE TABLE it_array_types AS
                    SELECT ARRAY[[i % 7, (i * 3) % 11], [(i * 5) % 13, i % 3]]::smallint[] AS grid,
                           ARRAY[i % 17, -(i % 5)]::int[] AS ints,
                           ARRAY[(i % 19)::bigint * 1000000000]::bigint[] AS bigs,
                           ARRAY[(i % 23) / 4.0]::real[] AS reals,
                           ARRAY[(i % 29) / 8.0, (i % 31) / 16.0]::float8[] AS doubles,
                           ARRAY[(i % 37) / 2.0]::numeric[] AS numerics,
                           0.0::float8 AS y
                    FROM generate_series(1, 400) AS i""");
            s.execute("""
                    UPDATE it_array_types SET y = grid[1][1] + 2 * grid[1][2] - grid[2][1] + 3 * grid[2][2]
                        + 0.5 * ints[1] - ints[2] + bigs[1] / 1e9 + 4 * reals[1] - 2 * doubles[1] + doubles[2] + numerics[1]""");
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('it_array_types', 'regression', 'it_array_types', 'y', "
                    + "'linear', test_size => 0.25, test_sampling => 'random')")) {
                assertTrue(rs.next());
            }
            double r2 = Double.parseDouble(one(s, "SELECT (m.metrics->>'r2') FROM pgml.models m JOIN pgml.projects p "
                    + "ON p.id = m.project_id WHERE p.name = 'it_array_types' ORDER BY m.id DESC LIMIT 1"));
            assertTrue(r2 > 0.999999, "r2 " + r2);
            assertEquals("11", one(s, "SELECT num_features FROM pgml.models m JOIN pgml.projects p ON p.id = m.project_id "
                    + "WHERE p.name = 'it_array_types' ORDER BY m.id DESC LIMIT 1"));
            // the prediction for one row equals its label
            try (ResultSet rs = s.executeQuery("SELECT y, pgml.predict('it_array_types', (grid, ints, bigs, reals, doubles, numerics)) "
                    + "FROM it_array_types ORDER BY y DESC LIMIT 5")) {
                int n = 0;
                while (rs.next()) {
                    assertEquals(rs.getDouble(1), rs.getDouble(2), 1e-3);
                    n++;
                }
                assertEquals(5, n);
            }
        }
    }

    @Test
    void nullElementsInABinaryArrayAreMissingValues() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS it_array_nulls");
            s.execute("CREATE TABLE it_array_nulls AS SELECT CASE WHEN i % 10 = 0 THEN ARRAY[NULL, i]::int[] ELSE ARRAY[i % 4, i]::int[] END "
                    + "AS x, (i % 2)::int AS label FROM generate_series(1, 200) AS i");
            try (ResultSet rs = s.executeQuery("SELECT * FROM pgml.train('it_array_nulls', 'classification', 'it_array_nulls', 'label', "
                    + "'xgboost', preprocess => '{\"x\": {\"impute\": \"mean\"}}')")) {
                assertTrue(rs.next());
            }
            String columns = one(s, "SELECT s.columns::text FROM pgml.snapshots s JOIN pgml.models m ON m.snapshot_id = s.id "
                    + "JOIN pgml.projects p ON p.id = m.project_id WHERE p.name = 'it_array_nulls' ORDER BY s.id DESC LIMIT 1");
            // 20 of the 200 rows have a NULL element; the statistics cover the training split
            int missing = new ObjectMapper().readTree(columns).get(0).get("statistics").get("missing").asInt();
            assertTrue(missing > 0 && missing <= 20, columns);
        }
    }

    private static String one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}
