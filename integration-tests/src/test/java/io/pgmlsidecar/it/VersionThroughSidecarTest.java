package io.pgmlsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.planner.SidecarVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** pgml.version() is answered by the sidecar in the simple and the extended protocol. */
class VersionThroughSidecarTest {

    private final TestCluster cluster = TestCluster.get();

    @Test
    void simpleProtocol() throws Exception {
        try (Connection c = cluster.connect("preferQueryMode=simple"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pgml.version()")) {
            assertTrue(rs.next());
            assertEquals(SidecarVersion.get(), rs.getString(1));
            assertEquals("version", rs.getMetaData().getColumnName(1));
        }
    }

    @Test
    void preparedStatementCrossingThresholdAndBinary() throws Exception {
        try (Connection c = cluster.connect("prepareThreshold=1&binaryTransfer=true");
             PreparedStatement ps = c.prepareStatement("SELECT pgml.version() AS v")) {
            for (int i = 0; i < 5; i++) {
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(SidecarVersion.get(), rs.getString("v"));
                }
            }
            // the session still relays ordinary statements afterwards
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
            }
        }
    }

    @Test
    void callInsideStringLiteralOrCommentPassesThrough() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 'pgml.version()' /* pgml.version() */ AS t")) {
            assertTrue(rs.next());
            assertEquals("pgml.version()", rs.getString(1));
        }
    }
}
