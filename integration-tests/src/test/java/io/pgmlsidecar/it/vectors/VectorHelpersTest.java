package io.pgmlsidecar.it.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The vector helpers of pgml-api.md §1.5, installed as SQL functions, answer in every query shape. */
class VectorHelpersTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void scalarHelpers() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT pgml.norm_l2(ARRAY[3,4]::real[]), pgml.norm_l1(ARRAY[3,-4]::real[]), pgml.norm_max(ARRAY[3,-4]::real[]),
                            pgml.norm_l0(ARRAY[0,1,2]::real[]), pgml.dot_product(ARRAY[1,2,3]::real[], ARRAY[4,5,6]::real[]),
                            pgml.distance_l1(ARRAY[1,1]::real[], ARRAY[4,5]::real[]), pgml.distance_l2(ARRAY[1,1]::real[], ARRAY[4,5]::real[]),
                            pgml.cosine_similarity(ARRAY[1,0]::real[], ARRAY[1,1]::real[]),
                            pgml.add(ARRAY[1,2]::real[], 1), pgml.subtract(ARRAY[1,2,3]::real[], ARRAY[1,1]::real[]),
                            pgml.divide(ARRAY[2,4]::double precision[], 2), pgml.normalize_l2(ARRAY[3,4]::real[])
                     """)) {
            assertTrue(rs.next());
            assertEquals(5f, rs.getFloat(1), 1e-6);
            assertEquals(7f, rs.getFloat(2), 1e-6);
            assertEquals(4f, rs.getFloat(3), 1e-6);
            assertEquals(2f, rs.getFloat(4), 1e-6);
            assertEquals(32f, rs.getFloat(5), 1e-6);
            assertEquals(7f, rs.getFloat(6), 1e-6);
            assertEquals(5f, rs.getFloat(7), 1e-6);
            assertEquals(Math.sqrt(0.5), rs.getFloat(8), 1e-6);
            assertArrayEquals(new Float[] {2f, 3f}, (Float[]) rs.getArray(9).getArray());
            assertArrayEquals(new Float[] {0f, 1f}, (Float[]) rs.getArray(10).getArray(), "zips to the shorter vector");
            assertArrayEquals(new Double[] {1d, 2d}, (Double[]) rs.getArray(11).getArray());
            assertArrayEquals(new Float[] {0.6f, 0.8f}, (Float[]) rs.getArray(12).getArray());
        }
    }

    @Test
    void aggregatesAndUseInWhereAndOrderBy() throws Exception {
        try (Connection c = cluster.connect("prepareThreshold=1"); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS vh_points");
            s.execute("CREATE TABLE vh_points (id int, v real[])");
            s.execute("INSERT INTO vh_points VALUES (1, '{1,0}'), (2, '{0,1}'), (3, '{-3,2}')");
            try (ResultSet rs = s.executeQuery("SELECT pgml.sum(v), pgml.max(v), pgml.min(v), pgml.max_abs(v) FROM vh_points")) {
                assertTrue(rs.next());
                assertArrayEquals(new Float[] {-2f, 3f}, (Float[]) rs.getArray(1).getArray());
                assertArrayEquals(new Float[] {1f, 2f}, (Float[]) rs.getArray(2).getArray());
                assertArrayEquals(new Float[] {-3f, 0f}, (Float[]) rs.getArray(3).getArray());
                assertArrayEquals(new Float[] {3f, 2f}, (Float[]) rs.getArray(4).getArray());
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM vh_points WHERE pgml.norm_l2(v) < ? ORDER BY pgml.cosine_similarity(v, ?::real[]) DESC")) {
                for (int run = 0; run < 3; run++) {
                    ps.setFloat(1, 2f);
                    Array query = c.createArrayOf("float4", new Float[] {1f, 0.1f});
                    ps.setArray(2, query);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals(1, rs.getInt(1));
                        assertTrue(rs.next());
                        assertEquals(2, rs.getInt(1));
                        assertTrue(!rs.next());
                    }
                }
            }
        }
    }
}
