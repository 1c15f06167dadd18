package io.pgmlsidecar.it.anywhere;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * The general strategy's direct collect (decision 24): calls over one table's columns collected with
 * one SELECT DISTINCT. Each statement is compared with PostgreSQL's own computation of the same
 * linear model ({@link CallsAnywhereOracleTest}'s {@code oracle.predict}), and EXPLAIN says which
 * collect ran: direct over a table, the statement itself over a view.
 */
class DirectCollectShapesTest {

    private static final TestCluster cluster = TestCluster.get();
    private static final String CALL = "pgml.predict('direct_linear', ARRAY[t.a, t.b, t.c]::real[])";

    @BeforeAll
    static void trainExactLinearModel() throws SQLException {
        try (Connection d = cluster.connectDirect(null); Statement s = d.createStatement()) {
            s.execute("DROP TABLE IF EXISTS direct_t CASCADE");
            // b is NULL on every 10th row, -0 and 0 both occur in c; p names the project as a text column
            s.execute("CREATE TABLE direct_t AS SELECT id, 10 * id AS a, CASE WHEN id % 10 = 0 THEN NULL ELSE id % 3 END AS b, "
                    + "CASE WHEN id % 2 = 0 THEN '-0'::real ELSE ((id * 7) % 3)::real END AS c, id % 4 AS g, "
                    + "'direct_linear'::text AS p FROM generate_series(1, 300) id");
            s.execute("CREATE OR REPLACE VIEW direct_train AS SELECT a, b, c, 2 * a + 3 * b - c + 5 AS y FROM direct_t WHERE b IS NOT NULL");
            s.execute("CREATE OR REPLACE VIEW direct_v AS SELECT * FROM direct_t WHERE g <> 3");
            s.execute("CREATE SCHEMA IF NOT EXISTS oracle");
            s.execute("CREATE OR REPLACE FUNCTION oracle.predict(project text, features real[]) RETURNS real LANGUAGE sql IMMUTABLE "
                    + "AS 'SELECT (2 * features[1] + 3 * features[2] - features[3] + 5)::real'");
        }
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.train('direct_linear', 'regression', 'direct_train', 'y', 'linear')").close();
        }
    }

    private static final String[] DIRECT = {
            "SELECT id FROM direct_t t WHERE t.b IS NOT NULL ORDER BY " + CALL + " DESC, id LIMIT 25",
            "SELECT id, " + CALL + " AS score FROM direct_t t WHERE t.b IS NOT NULL AND " + CALL + " > 1500.5 ORDER BY id",
            // the IN subquery is left out of the collecting query: PostgreSQL may evaluate the call below its join
            "SELECT id FROM direct_t t WHERE t.id IN (SELECT id FROM direct_t WHERE g = 1) AND t.b IS NOT NULL AND " + CALL
                    + " < 2000 ORDER BY id",
            "SELECT id, round(" + CALL + ") FROM direct_t t WHERE t.b IS NOT NULL AND (t.g = 2 OR t.id < 20) ORDER BY 2, 1",
            "SELECT *, " + CALL.replace("'direct_linear'", "t.p") + "::int AS k FROM direct_t AS t WHERE t.b BETWEEN 1 AND 2 AND t.id < 100 "
                    + "ORDER BY k, id LIMIT 40",
            "SELECT count(*), sum(" + CALL + ")::bigint FROM direct_t t WHERE t.b IS NOT NULL",
    };

    @Test
    void directShapesAgreeWithPostgresInBothProtocols() throws SQLException {
        try (Connection simple = cluster.connect("preferQueryMode=simple"); Connection extended = cluster.connect("prepareThreshold=1");
             Connection direct = cluster.connectDirect(null)) {
            for (String q : DIRECT) {
                assertTrue(explain(simple, q).contains("  Collect: SELECT DISTINCT of the arguments over the FROM table, streamed "
                        + "(one query per call)"), q);
                CallsAnywhereOracleTest.compare(simple, direct, q, List.of());
                CallsAnywhereOracleTest.compare(extended, direct, q, List.of());
            }
        }
    }

    /**
     * Decision 33: with ORDER BY a call … LIMIT n only the first n results (with ties) are stored, and
     * with a WHERE conjunct comparing a call with constants only the results that pass; the answers
     * stay PostgreSQL's own.
     */
    @Test
    void topRowsAndConditionsAreDecidedWhileComputing() throws SQLException {
        String top = "SELECT id FROM direct_t t WHERE t.b IS NOT NULL ORDER BY " + CALL + " DESC, id LIMIT 25";
        String filtered = "SELECT id, " + CALL + " AS score FROM direct_t t WHERE t.b IS NOT NULL AND " + CALL + " > 1500.5 ORDER BY id";
        // b and c take few values: a handful of tuples for 270 rows, so ties cross the limit
        String ties = "SELECT id, " + CALL.replace("t.a", "0") + " AS s FROM direct_t t WHERE t.b IS NOT NULL ORDER BY s, id LIMIT 12 OFFSET 2";
        try (Connection sidecar = cluster.connect(null); Connection direct = cluster.connectDirect(null)) {
            String plan = explain(sidecar, top);
            assertTrue(plan.contains("Decided While Computing: keeps the first 25 results of pgml.predict in ORDER BY DESC NULLS FIRST"), plan);
            assertTrue(plan.contains("Argument Tuples Computed: 270  Results Stored: 25 "), plan);
            CallsAnywhereOracleTest.compare(sidecar, direct, top, List.of());

            long passing;
            try (Statement s = direct.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM direct_t t WHERE t.b IS NOT NULL AND "
                    + CALL.replace("pgml.predict(", "oracle.predict(") + " > 1500.5")) {
                rs.next();
                passing = rs.getLong(1);
            }
            assertTrue(passing > 0 && passing < 270, "some rows pass: " + passing);
            plan = explain(sidecar, filtered);
            assertTrue(plan.contains("Decided While Computing: keeps the results of pgml.predict that pass " + CALL + " > 1500.5"), plan);
            assertTrue(plan.contains("Argument Tuples Computed: 270  Results Stored: " + passing + " "), plan);
            CallsAnywhereOracleTest.compare(sidecar, direct, filtered, List.of());

            plan = explain(sidecar, ties);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Argument Tuples Computed: (\\d+)").matcher(plan);
            assertTrue(m.find() && Integer.parseInt(m.group(1)) < 12, "fewer tuples than the limit: every row ties with others " + plan);
            CallsAnywhereOracleTest.compare(sidecar, direct, ties, List.of());
        }
    }

    @Test
    void aViewKeepsTheStatementAsItsCollectingQuery() throws SQLException {
        String q = "SELECT id FROM direct_v t WHERE t.b IS NOT NULL AND " + CALL + " > 1000.5 ORDER BY id";
        try (Connection sidecar = cluster.connect(null); Connection direct = cluster.connectDirect(null)) {
            assertTrue(explain(sidecar, q).contains("  Collecting Passes: 1"), q);
            CallsAnywhereOracleTest.compare(sidecar, direct, q, List.of());
        }
    }

    @Test
    void reExecutedWithNewParametersAndAfterARollback() throws SQLException {
        String q = "SELECT id, " + CALL + " AS v FROM direct_t t WHERE t.g = ? AND t.b IS NOT NULL AND " + CALL + " > ? ORDER BY id";
        try (Connection sidecar = cluster.connect("prepareThreshold=1"); Connection direct = cluster.connectDirect(null)) {
            sidecar.setAutoCommit(false);
            for (int g = 0; g < 4; g++) {
                CallsAnywhereOracleTest.compare(sidecar, direct, q, List.of(g, 500 * g));
            }
            sidecar.rollback(); // the session's tables and index go with the transaction that created them
            CallsAnywhereOracleTest.compare(sidecar, direct, q, List.of(1, 100));
            sidecar.commit();
            try (PreparedStatement ps = sidecar.prepareStatement(q)) {
                ps.setInt(1, 2);
                ps.setInt(2, 0);
                int n = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        n++;
                    }
                }
                assertEquals(60, n, "rows with g = 2 and b not NULL");
            }
        }
    }

    private static String explain(Connection c, String q) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN ANALYZE " + q)) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
        return String.join("\n", lines);
    }
}
