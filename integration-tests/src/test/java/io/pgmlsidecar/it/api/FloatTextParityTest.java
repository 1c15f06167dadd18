package io.pgmlsidecar.it.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The sidecar prints the real[] and jsonb values it computes exactly as PostgreSQL prints the same values. */
class FloatTextParityTest {

    @Test
    void embeddingTextMatchesPostgresqlsOwnOutput() throws Exception {
        assertPrintedAsPostgresqlPrintsIt("SELECT pgml.embed('sentence-transformers/all-MiniLM-L6-v2', "
                + "'floats are printed like PostgreSQL prints them')", "real[]");
    }

    @Test
    void jsonbTextMatchesPostgresqlsOwnOutput() throws Exception {
        assertPrintedAsPostgresqlPrintsIt("SELECT pgml.sklearn_classification_metrics(ARRAY[0,1,2,0,1,2]::real[], "
                + "ARRAY[0,2,1,0,0,1]::real[], 3)", "jsonb");
    }

    /** PostgreSQL reads the sidecar's text and prints the same value its own way: the two texts must be equal. */
    private static void assertPrintedAsPostgresqlPrintsIt(String sidecarQuery, String type) throws Exception {
        TestCluster cluster = TestCluster.get();
        try (Connection c = cluster.connect(null); Statement s = c.createStatement();
             Connection d = cluster.connectDirect(null); Statement direct = d.createStatement()) {
            String mine;
            try (ResultSet rs = s.executeQuery(sidecarQuery)) {
                rs.next();
                mine = rs.getString(1);
            }
            try (ResultSet theirs = direct.executeQuery("SELECT '" + mine + "'::" + type + "::text")) {
                theirs.next();
                assertEquals(theirs.getString(1), mine);
            }
        }
    }
}
