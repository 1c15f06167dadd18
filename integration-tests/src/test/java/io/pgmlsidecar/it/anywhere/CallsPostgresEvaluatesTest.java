package io.pgmlsidecar.it.anywhere;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.catalog.CatalogMigrator;
import io.pgmlsidecar.it.support.TestCluster;
import java.io.StringReader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;

/**
 * Calls that PostgreSQL evaluates itself (issue 15, item 6): generated columns, views, SQL
 * functions, triggers and DO blocks. The stubs of migration V7 let the DDL of PostgresML's guides
 * run as written; without a callback server a call fails with 0A000 naming the sidecar, and with
 * dblink's {@code pgml_sidecar} server PostgreSQL calls the sidecar back and gets the same values
 * the sidecar serves directly — for writes through the sidecar and around it, COPY included.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CallsPostgresEvaluatesTest {

    private static final TestCluster cluster = TestCluster.get();
    private static final String DB = "callbacks";
    private static final String MODEL = "sentence-transformers/all-MiniLM-L6-v2";
    private static final String DOCS = "CREATE TABLE docs (id serial PRIMARY KEY, body text, "
            + "embedding real[] GENERATED ALWAYS AS (pgml.embed('" + MODEL + "', body)) STORED)";

    @BeforeAll
    static void database() throws SQLException {
        try (Connection d = cluster.connectDirect(null); Statement s = d.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DB);
            s.execute("CREATE DATABASE " + DB);
        }
        CatalogMigrator.migrate("jdbc:postgresql://127.0.0.1:" + cluster.postgresPort() + "/" + DB, "postgres", "");
        try (Connection c = sidecar(); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('iris')").close();
            s.executeQuery("SELECT * FROM pgml.train('cb_iris', 'classification', 'pgml.iris', 'target', 'linear')").close();
        }
    }

    @Test
    @Order(1)
    void withoutCallbackTheDefinitionsAreKeptAndACallNamesTheSidecar() throws SQLException {
        try (Connection c = sidecar(); Statement s = c.createStatement()) {
            s.execute(DOCS); // PostgresML's guides: a generated column needs an immutable function
            s.execute("CREATE VIEW iris_scores AS SELECT sepal_length, pgml.predict('cb_iris', "
                    + "ARRAY[sepal_length, sepal_width, petal_length, petal_width]) AS score FROM pgml.iris");
            PSQLException e = assertThrows(PSQLException.class, () -> s.execute("INSERT INTO docs (body) VALUES ('hello')"));
            assertEquals("0A000", e.getSQLState());
            assertEquals("pgml.embed() is served by pgml-sidecar, not by PostgreSQL itself", e.getServerErrorMessage().getMessage());
            assertTrue(e.getServerErrorMessage().getHint().contains("CREATE SERVER pgml_sidecar FOREIGN DATA WRAPPER dblink_fdw"),
                    e.getServerErrorMessage().getHint());
            assertEquals(0, count(s, "SELECT count(*) FROM docs"), "nothing half-written; the session is usable");
        }
        try (Connection d = direct(); Statement s = d.createStatement()) {
            PSQLException e = assertThrows(PSQLException.class, () -> s.executeQuery("SELECT score FROM iris_scores LIMIT 1"));
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("pgml.predict() is served by pgml-sidecar"), e.getMessage());
        }
    }

    @Test
    @Order(2)
    void withTheCallbackPostgresGetsTheSidecarsValues() throws SQLException, java.io.IOException {
        try (Connection d = direct(); Statement s = d.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS dblink");
            s.execute("CREATE SERVER pgml_sidecar FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host '127.0.0.1', port '"
                    + cluster.sidecarPort() + "', dbname '" + DB + "')");
            s.execute("CREATE USER MAPPING FOR postgres SERVER pgml_sidecar OPTIONS (user 'postgres')");
        }
        try (Connection c = sidecar(); Statement s = c.createStatement()) {
            // written through the sidecar, around it, and by COPY through it
            s.execute("INSERT INTO docs (body) VALUES ('the first text'), ('a second one')");
            try (Connection d = direct(); Statement ds = d.createStatement()) {
                ds.execute("INSERT INTO docs (body) VALUES ('written around the sidecar')");
            }
            long copied = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY docs (body) FROM STDIN", new StringReader("copied one\ncopied two\n"));
            assertEquals(2, copied);
            s.execute("UPDATE docs SET body = 'the first text, changed' WHERE body = 'the first text'");
            Map<String, float[]> stored = new LinkedHashMap<>();
            try (ResultSet rs = s.executeQuery("SELECT body, embedding FROM docs ORDER BY id")) {
                while (rs.next()) {
                    stored.put(rs.getString(1), floats(rs.getArray(2)));
                }
            }
            assertEquals(List.of("the first text, changed", "a second one", "written around the sidecar", "copied one", "copied two"),
                    new ArrayList<>(stored.keySet()));
            for (Map.Entry<String, float[]> row : stored.entrySet()) {
                try (ResultSet rs = s.executeQuery("SELECT pgml.embed('" + MODEL + "', '" + row.getKey() + "')")) {
                    rs.next();
                    assertArrayEquals(floats(rs.getArray(1)), row.getValue(), 1e-6f, row.getKey());
                }
            }
            // a view, read through the sidecar and straight from PostgreSQL, equals the sidecar's own predictions
            List<Float> served = floats(s, "SELECT pgml.predict('cb_iris', ARRAY[sepal_length, sepal_width, petal_length, "
                    + "petal_width]) FROM pgml.iris ORDER BY ctid");
            assertEquals(150, served.size());
            assertEquals(served, floats(s, "SELECT score FROM iris_scores"));
            try (Connection d = direct(); Statement ds = d.createStatement()) {
                assertEquals(served, floats(ds, "SELECT score FROM iris_scores"));
                // a SQL function, a trigger and a DO block
                ds.execute("CREATE FUNCTION iris_class(f real[]) RETURNS real LANGUAGE sql IMMUTABLE RETURN pgml.predict('cb_iris', f)");
                assertEquals(served.subList(0, 3), floats(ds, "SELECT iris_class(ARRAY[sepal_length, sepal_width, petal_length, "
                        + "petal_width]) FROM pgml.iris ORDER BY ctid LIMIT 3"));
                ds.execute("CREATE TABLE scored (features real[], class real)");
                ds.execute("CREATE FUNCTION score_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        + "NEW.class := pgml.predict('cb_iris', NEW.features); RETURN NEW; END $$");
                ds.execute("CREATE TRIGGER scored_class BEFORE INSERT ON scored FOR EACH ROW EXECUTE FUNCTION score_row()");
                ds.execute("INSERT INTO scored (features) SELECT ARRAY[sepal_length, sepal_width, petal_length, petal_width] "
                        + "FROM pgml.iris ORDER BY ctid LIMIT 5");
                assertEquals(served.subList(0, 5), floats(ds, "SELECT class FROM scored"));
                ds.execute("DO $$ BEGIN IF pgml.version() IS NULL THEN RAISE 'no version'; END IF; END $$");
                // a failure on the sidecar reaches PostgreSQL's caller with the sidecar's SQLSTATE
                PSQLException missing = assertThrows(PSQLException.class,
                        () -> ds.executeQuery("SELECT pgml.predict('no_such_project', ARRAY[1, 2, 3, 4])"));
                assertNotNull(missing.getSQLState());
                assertTrue(missing.getMessage().contains("no_such_project"), missing.getMessage());
                assertEquals(1, count(ds, "SELECT 1"), "the direct session is usable after the error");
            }
        }
    }

    @Test
    @Order(3)
    void aCallRelayedBackIsRefusedInsteadOfLooping() throws SQLException {
        try (Connection d = direct(); Statement s = d.createStatement()) {
            s.execute("SET pgml_sidecar.in_callback = on");
            PSQLException e = assertThrows(PSQLException.class, () -> s.executeQuery("SELECT pgml.version()"));
            assertEquals("0A000", e.getSQLState());
            assertTrue(e.getMessage().contains("relayed pgml.version() back to PostgreSQL"), e.getMessage());
        }
    }

    @Test
    @Order(4)
    void theCallbackRunsAsTheMappedRoleWithItsPrivileges() throws SQLException {
        try (Connection d = direct(); Statement s = d.createStatement()) {
            s.execute("GRANT USAGE ON FOREIGN SERVER pgml_sidecar TO " + TestCluster.MD5_USER);
            s.execute("GRANT USAGE ON SCHEMA pgml TO " + TestCluster.MD5_USER); // the stubs, not the registry's tables
            s.execute("CREATE USER MAPPING FOR " + TestCluster.MD5_USER + " SERVER pgml_sidecar OPTIONS (user '"
                    + TestCluster.MD5_USER + "', password '" + TestCluster.PASSWORD + "')");
        }
        String url = "jdbc:postgresql://127.0.0.1:" + cluster.postgresPort() + "/" + DB;
        try (Connection c = DriverManager.getConnection(url, TestCluster.MD5_USER, TestCluster.PASSWORD);
             Statement s = c.createStatement()) {
            // the sidecar reads the registry as md5user, who may not: PostgreSQL's refusal comes back
            PSQLException e = assertThrows(PSQLException.class,
                    () -> s.executeQuery("SELECT pgml.predict('cb_iris', ARRAY[5.1, 3.5, 1.4, 0.2])"));
            assertEquals("42501", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("permission denied for table"), e.getMessage());
        }
    }

    private static Connection sidecar() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cluster.sidecarPort() + "/" + DB, "postgres", "");
    }

    private static Connection direct() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + cluster.postgresPort() + "/" + DB, "postgres", "");
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<Float> floats(Statement s, String sql) throws SQLException {
        List<Float> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getFloat(1));
            }
        }
        return out;
    }

    private static float[] floats(Array array) throws SQLException {
        Object[] values = (Object[]) array.getArray();
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = ((Number) values[i]).floatValue();
        }
        return out;
    }
}
