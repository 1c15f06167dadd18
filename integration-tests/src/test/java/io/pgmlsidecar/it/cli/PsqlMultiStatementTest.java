package io.pgmlsidecar.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.support.TinyTaskModels;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Query strings of several statements that call the API (psql -c, pgjdbc in simple mode): every
 * statement runs in order, and the string is one transaction as PostgreSQL makes it.
 */
class PsqlMultiStatementTest {
    private static final String CLASSIFY = "pgml.transform('{\"task\": \"text-classification\", \"model\": \"" + TinyTaskModels.SENTIMENT
            + "\"}'::jsonb, inputs => ARRAY['good'])";

    @BeforeAll
    static void models() {
        TinyTaskModels.install();
    }

    private static Cli.Result psql(String script) throws Exception {
        return Cli.run(List.of(Cli.require("psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                Integer.toString(TestCluster.get().sidecarPort()), "-U", "postgres", "-d", "postgres", "-c", script), "it_psql_multi", 120);
    }

    @Test
    void statementsRunInOrderAsOneTransaction() throws Exception {
        Cli.Result r = psql("DROP TABLE IF EXISTS multi_t; CREATE TABLE multi_t (x int); INSERT INTO multi_t VALUES (1); "
                + "SELECT " + CLASSIFY + "; SELECT count(*) FROM multi_t");
        assertEquals(0, r.exitCode(), r.all());
        String[] lines = r.stdout().trim().split("\n");
        assertTrue(lines[lines.length - 2].startsWith("[{\"label\": \"POSITIVE\""), r.stdout());
        assertEquals("1", lines[lines.length - 1], r.stdout());

        // an error in a later statement undoes the earlier ones, as PostgreSQL's implicit transaction does
        Cli.Result failing = psql("INSERT INTO multi_t VALUES (2); SELECT pgml.transform('{\"task\": \"text-classification\", "
                + "\"model\": \"acme/missing\"}'::jsonb, inputs => ARRAY['x']); INSERT INTO multi_t VALUES (3)");
        assertEquals(1, failing.exitCode(), failing.all());
        assertTrue(failing.stderr().contains("acme/missing"), failing.all());
        assertEquals("1", psql("SELECT count(*) FROM multi_t").stdout().trim(), "nothing of the failed string stayed");

        // the same when PostgreSQL is the one that fails
        Cli.Result pgFails = psql("INSERT INTO multi_t VALUES (4); SELECT " + CLASSIFY + "; SELECT 1/0");
        assertEquals(1, pgFails.exitCode(), pgFails.all());
        assertTrue(pgFails.stderr().contains("division by zero"), pgFails.all());
        assertEquals("1", psql("SELECT count(*) FROM multi_t").stdout().trim());

        // a string that controls its transaction itself
        Cli.Result explicit = psql("BEGIN; INSERT INTO multi_t VALUES (5); SELECT " + CLASSIFY + "; COMMIT");
        assertEquals(0, explicit.exitCode(), explicit.all());
        assertEquals("2", psql("SELECT count(*) FROM multi_t").stdout().trim());

        // ... also when a comment comes first: no second transaction around it (no WARNING, the ROLLBACK undoes the insert)
        Cli.Result commented = psql("-- a batch of the application's\nBEGIN; INSERT INTO multi_t VALUES (6); SELECT " + CLASSIFY
                + "; ROLLBACK");
        assertEquals(0, commented.exitCode(), commented.all());
        assertFalse(commented.stderr().contains("WARNING"), commented.all());
        assertEquals("2", psql("SELECT count(*) FROM multi_t").stdout().trim());
    }

    @Test
    void pgjdbcInSimpleModeGetsEveryResult() throws Exception {
        try (Connection c = TestCluster.get().connect("preferQueryMode=simple"); Statement s = c.createStatement()) {
            assertTrue(s.execute("SELECT 41 + 1 AS answer; SELECT " + CLASSIFY + " AS label"));
            try (ResultSet rs = s.getResultSet()) {
                assertTrue(rs.next());
                assertEquals(42, rs.getInt(1));
            }
            assertTrue(s.getMoreResults());
            try (ResultSet rs = s.getResultSet()) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).startsWith("[{\"label\": \"POSITIVE\""), rs.getString(1));
            }
            assertFalse(s.getMoreResults());
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next(), "the session goes on");
            }
        }
    }
}
