package io.pgmlsidecar.it.anywhere;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.NoBufferLeaks;
import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SQL-level PREPARE / EXECUTE / DEALLOCATE of statements with calls (issue 15 item 4, decision 19),
 * in the simple protocol (psql's way) and the extended one (pgjdbc's default): answers equal the
 * same statement run directly, errors and lifetimes as PostgreSQL's own prepared statements.
 */
@ExtendWith(NoBufferLeaks.class)
class SqlPrepareTest {

    private static final TestCluster cluster = TestCluster.get();

    @BeforeAll
    static void trainDigits() throws SQLException {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('digits')").close();
            s.executeQuery("SELECT * FROM pgml.train('sqlprep_digits', 'classification', 'pgml.digits', 'target', 'xgboost', "
                    + "hyperparams => '{\"n_estimators\": 8}')").close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"preferQueryMode=simple", "preferQueryMode=extended"})
    void executeAnswersAsTheStatementItselfWould(String mode) throws SQLException {
        try (Connection c = cluster.connect(mode); Statement s = c.createStatement()) {
            s.execute("PREPARE by_target(int) AS SELECT target, pgml.predict('sqlprep_digits', image) AS predicted "
                    + "FROM pgml.digits WHERE target = $1 ORDER BY image::text LIMIT 7");
            List<String> direct = rows(s, "SELECT target, pgml.predict('sqlprep_digits', image) AS predicted "
                    + "FROM pgml.digits WHERE target = 3 ORDER BY image::text LIMIT 7");
            try (ResultSet rs = s.executeQuery("EXECUTE by_target(3)")) {
                assertEquals("target", rs.getMetaData().getColumnName(1));
                assertEquals("predicted", rs.getMetaData().getColumnName(2));
                assertEquals("float4", rs.getMetaData().getColumnTypeName(2));
            }
            assertEquals(direct, rows(s, "EXECUTE by_target(3)"));
            assertEquals(7, direct.size());
            // an argument is an expression, cast to the parameter's type as PostgreSQL casts it
            assertEquals(rows(s, "EXECUTE by_target(3)"), rows(s, "EXECUTE by_target('3')"));
            assertEquals(rows(s, "EXECUTE by_target(3)"), rows(s, "EXECUTE by_target(1 + 2)"));

            // the general strategy as the body: the call decides which rows count; types inferred without a list
            s.execute("PREPARE above AS SELECT count(*) AS n FROM pgml.digits WHERE pgml.predict('sqlprep_digits', image) > $1::real");
            String expected = rows(s, "SELECT count(*) FROM pgml.digits WHERE pgml.predict('sqlprep_digits', image) > 4.5").get(0);
            assertEquals(expected, rows(s, "EXECUTE above(4.5)").get(0));
            assertEquals(rows(s, "SELECT count(*) FROM pgml.digits WHERE pgml.predict('sqlprep_digits', image) > 8").get(0),
                    rows(s, "EXECUTE above(8)").get(0));

            assertState("42P05", s, "PREPARE above AS SELECT 1", "a name the sidecar holds is taken for PostgreSQL's too");
            assertState("42P05", s, "PREPARE by_target(int) AS SELECT pgml.predict('sqlprep_digits', image) FROM pgml.digits", "");
            assertState("42601", s, "EXECUTE by_target(1, 2)", "wrong number of parameters");
            assertState("22P02", s, "EXECUTE by_target('three')", "the argument is cast as PostgreSQL casts it");
            s.execute("DEALLOCATE by_target");
            assertState("26000", s, "EXECUTE by_target(3)", "gone after DEALLOCATE");
            s.execute("DEALLOCATE PREPARE above");
            assertState("26000", s, "EXECUTE above(1)", "");
            assertEquals(List.of("1"), rows(s, "SELECT 1"), "the connection stays usable");
        }
    }

    /** {@code EXECUTE e(?, ?)} through a driver's prepared statement: the arguments' $n are bound like any parameter. */
    @Test
    void executeArgumentsMayBeBoundParameters() throws SQLException {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.execute("PREPARE bound_target(int, int) AS SELECT target, pgml.predict('sqlprep_digits', image) AS predicted "
                    + "FROM pgml.digits WHERE target = $1 ORDER BY image::text LIMIT $2");
            List<String> literal = rows(s, "EXECUTE bound_target(5, 4)");
            assertEquals(4, literal.size());
            try (PreparedStatement ps = c.prepareStatement("EXECUTE bound_target(?, ? + 1)")) {
                ps.setInt(1, 5);
                ps.setInt(2, 3);
                List<String> bound = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    assertEquals("predicted", rs.getMetaData().getColumnName(2));
                    while (rs.next()) {
                        bound.add(rs.getString(1) + "|" + rs.getString(2));
                    }
                }
                assertEquals(literal, bound);
                ps.setString(1, "five");
                ps.setInt(2, 1);
                SQLException e = assertThrows(SQLException.class, ps::executeQuery);
                assertTrue(List.of("22P02", "42883").contains(e.getSQLState()), e.getSQLState() + " " + e.getMessage());
            }
            assertEquals(List.of("1"), rows(s, "SELECT 1"), "the connection stays usable");
        }
    }

    @Test
    void lifetimesMatchPostgresqlsOwnPreparedStatements() throws SQLException {
        // the same steps on a statement without calls, straight to PostgreSQL, give the expected outcome
        for (boolean sidecar : new boolean[] {false, true}) {
            String body = sidecar ? "SELECT pgml.predict('sqlprep_digits', image) FROM pgml.digits LIMIT $1"
                    : "SELECT target FROM pgml.digits LIMIT $1";
            try (Connection c = sidecar ? cluster.connect("preferQueryMode=simple") : cluster.connectDirect("preferQueryMode=simple");
                 Statement s = c.createStatement()) {
                String where = sidecar ? "through the sidecar" : "directly";
                s.execute("BEGIN");
                s.execute("PREPARE kept(int) AS " + body);
                s.execute("ROLLBACK");
                assertEquals(2, rows(s, "EXECUTE kept(2)").size(), "a ROLLBACK leaves a prepared statement, " + where);
                s.execute("DEALLOCATE ALL");
                assertState("26000", s, "EXECUTE kept(2)", "DEALLOCATE ALL, " + where);
                s.execute("PREPARE kept(int) AS " + body);
                s.execute("DISCARD ALL");
                assertState("26000", s, "EXECUTE kept(2)", "DISCARD ALL, " + where);
                s.execute("PREPARE kept(int) AS " + body);
                s.execute("BEGIN");
                assertThrows(SQLException.class, () -> s.execute("DISCARD ALL"));
                s.execute("ROLLBACK");
                assertEquals(3, rows(s, "EXECUTE kept(3)").size(), "a refused DISCARD ALL discards nothing, " + where);
            }
            try (Connection other = sidecar ? cluster.connect("preferQueryMode=simple") : cluster.connectDirect("preferQueryMode=simple");
                 Statement s = other.createStatement()) {
                s.execute("PREPARE kept(int) AS " + body);
                assertEquals(1, rows(s, "EXECUTE kept(1)").size(), "names are per session");
            }
        }
    }

    @Test
    void aBodyPostgresqlRejectsFailsAtPrepare() throws SQLException {
        try (Connection c = cluster.connect("preferQueryMode=simple"); Statement s = c.createStatement()) {
            assertState("42703", s, "PREPARE bad AS SELECT pgml.predict('sqlprep_digits', no_such_column) FROM pgml.digits", "");
            assertState("42704", s, "PREPARE bad(no_such_type) AS SELECT pgml.predict('sqlprep_digits', image) FROM pgml.digits", "");
            assertState("26000", s, "EXECUTE bad", "nothing kept for a failed PREPARE");
            assertEquals(List.of("1"), rows(s, "SELECT 1"));
        }
    }

    private static void assertState(String state, Statement s, String sql, String why) {
        SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
        assertEquals(state, e.getSQLState(), why + ": " + sql + " → " + e.getMessage());
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    private static List<String> rows(Statement s, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
        }
        return out;
    }
}
