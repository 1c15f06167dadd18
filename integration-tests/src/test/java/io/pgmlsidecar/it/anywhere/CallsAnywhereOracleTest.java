package io.pgmlsidecar.it.anywhere;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The differential oracle of issue 15: a linear model trained through the sidecar predicts
 * {@code y = 2a + 3b - c + 5} exactly, so PostgreSQL can compute every prediction itself. A
 * function {@code oracle.predict(text, real[])} does that directly on PostgreSQL; each generated
 * query runs through the sidecar with {@code pgml.predict} and directly with {@code oracle.predict},
 * and the answers must agree row for row, with the same column names and types.
 */
class CallsAnywhereOracleTest {

    private static final TestCluster cluster = TestCluster.get();
    private static final String F = "ARRAY[t.a, t.b, t.c]::real[]";

    @BeforeAll
    static void trainExactLinearModel() throws SQLException {
        try (Connection d = cluster.connectDirect(null); Statement s = d.createStatement()) {
            s.execute("DROP TABLE IF EXISTS anywhere_t CASCADE");
            s.execute("DROP TABLE IF EXISTS anywhere_g CASCADE");
            // a = 10·id keeps every prediction distinct (3b - c stays within -2..6)
            s.execute("CREATE TABLE anywhere_t AS SELECT id, 10 * id AS a, id % 3 AS b, (id * 7) % 3 AS c, id % 4 AS g "
                    + "FROM generate_series(1, 200) id");
            s.execute("CREATE TABLE anywhere_g AS SELECT g, 'group ' || g AS label, 100 * g + 50 AS threshold FROM generate_series(0, 3) g");
            s.execute("CREATE OR REPLACE VIEW anywhere_train AS SELECT a, b, c, 2 * a + 3 * b - c + 5 AS y FROM anywhere_t");
            s.execute("CREATE SCHEMA IF NOT EXISTS oracle");
            s.execute("CREATE OR REPLACE FUNCTION oracle.predict(project text, features real[]) RETURNS real LANGUAGE sql IMMUTABLE "
                    + "AS 'SELECT (2 * features[1] + 3 * features[2] - features[3] + 5)::real'");
        }
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.train('anywhere_linear', 'regression', 'anywhere_train', 'y', 'linear')").close();
        }
    }

    private static final String[] QUERIES = {
            // PostgresML's headline shape
            "SELECT *, pgml.predict('anywhere_linear', " + F + ") AS buying_score FROM anywhere_t t WHERE g = 1 ORDER BY buying_score LIMIT 25",
            "SELECT id FROM anywhere_t t ORDER BY pgml.predict('anywhere_linear', " + F + ") DESC NULLS LAST LIMIT 10",
            // decided while computing (decision 33): many rows share a tuple and a result, so ties cross the limit
            "SELECT id FROM anywhere_t t ORDER BY pgml.predict('anywhere_linear', ARRAY[0, t.b, t.c]::real[]) DESC, id LIMIT 7",
            "SELECT id, pgml.predict('anywhere_linear', ARRAY[0, t.b, t.c]::real[]) AS s FROM anywhere_t t WHERE g <> 2 ORDER BY s, id LIMIT 5 OFFSET 3",
            "SELECT id FROM anywhere_t t ORDER BY pgml.predict('anywhere_linear', ARRAY[0, t.b, t.c]::real[]) LIMIT 0",
            "SELECT id, pgml.predict('anywhere_linear', ARRAY[0, t.b, t.c]::real[]) FROM anywhere_t t WHERE "
                    + "pgml.predict('anywhere_linear', ARRAY[0, t.b, t.c]::real[]) >= 8 AND g = 1 AND pgml.predict('anywhere_linear', "
                    + "ARRAY[0, t.b, t.c]::real[]) / 0.5 + 1 < 23 ORDER BY id",
            "SELECT id FROM anywhere_t t WHERE pgml.predict('anywhere_linear', " + F + ") BETWEEN 500 AND 900.25 AND "
                    + "pgml.predict('anywhere_linear', ARRAY[0, t.b, t.c]::real[]) IN (5, 8, 11) ORDER BY id",
            "SELECT id, pgml.predict('anywhere_linear', " + F + ")::int FROM anywhere_t t WHERE pgml.predict('anywhere_linear', " + F + ") > 1000.5 ORDER BY id",
            "SELECT id, round(pgml.predict('anywhere_linear', " + F + ")) AS r, pgml.predict('anywhere_linear', " + F + ") * 2 FROM anywhere_t t ORDER BY id",
            "SELECT g, count(*), sum(pgml.predict('anywhere_linear', " + F + ")::int) FROM anywhere_t t GROUP BY g ORDER BY g",
            "SELECT pgml.predict('anywhere_linear', " + F + ")::int % 3 AS k, count(*) FROM anywhere_t t GROUP BY 1 HAVING count(*) > 5 ORDER BY 1",
            "SELECT g, max(pgml.predict('anywhere_linear', " + F + ")) FROM anywhere_t t GROUP BY g HAVING avg(pgml.predict('anywhere_linear', " + F + ")) > 10 ORDER BY g",
            "SELECT t.id, u.label FROM anywhere_t t JOIN anywhere_g u ON pgml.predict('anywhere_linear', " + F + ") < u.threshold AND u.g = t.g ORDER BY t.id",
            "SELECT id, CASE WHEN pgml.predict('anywhere_linear', " + F + ") > 2000.5 THEN 'high' ELSE 'low' END FROM anywhere_t t ORDER BY id",
            "SELECT id, (SELECT pgml.predict('anywhere_linear', ARRAY[t2.a, t2.b, t2.c]::real[]) FROM anywhere_t t2 WHERE t2.id = t.id + 1) FROM anywhere_t t ORDER BY id",
            "WITH p AS (SELECT id, g, pgml.predict('anywhere_linear', " + F + ") + 1 AS v FROM anywhere_t t) SELECT g, count(*) FROM p WHERE v > 1500.5 GROUP BY g ORDER BY g",
            "SELECT u.g, x.best FROM anywhere_g u, LATERAL (SELECT max(pgml.predict('anywhere_linear', " + F + ")) AS best FROM anywhere_t t WHERE t.g = u.g) x ORDER BY u.g",
            "SELECT id, sum(pgml.predict('anywhere_linear', " + F + ")) OVER (PARTITION BY g ORDER BY id) FROM anywhere_t t ORDER BY id",
            "SELECT id, coalesce(pgml.predict('anywhere_linear', " + F + "), -1) FROM anywhere_t t WHERE id BETWEEN 10 AND 20 ORDER BY id",
            "SELECT count(*) FROM anywhere_t t WHERE pgml.predict('anywhere_linear', " + F + ") IS NULL",
            "SELECT id, pgml.predict('anywhere_linear', ARRAY[t.a, t.b, t.c]) FROM anywhere_t t WHERE id < 5 UNION ALL SELECT -1, 0 ORDER BY 1",
            "SELECT DISTINCT pgml.predict('anywhere_linear', " + F + ")::int % 2 AS parity FROM anywhere_t t ORDER BY 1",
            "SELECT id FROM anywhere_t t WHERE id IN (SELECT t2.id FROM anywhere_t t2 WHERE pgml.predict('anywhere_linear', ARRAY[t2.a, t2.b, t2.c]::real[]) < 300) ORDER BY id",
            "SELECT id, pgml.predict('anywhere_linear', ARRAY[pgml.predict('anywhere_linear', " + F + ") / 100, t.b, t.c]::real[]) AS nested FROM anywhere_t t WHERE id < 30 ORDER BY id",
    };

    @Test
    void handWrittenShapesAgreeWithPostgres() throws SQLException {
        try (Connection sidecar = cluster.connect(null); Connection direct = cluster.connectDirect(null)) {
            for (String q : QUERIES) {
                compare(sidecar, direct, q, List.of());
            }
        }
    }

    @Test
    void generatedQueriesAgreeWithPostgresInBothProtocols() throws SQLException {
        Random random = new Random(Long.getLong("pgml.oracle.seed", 15));
        try (Connection simple = cluster.connect("preferQueryMode=simple"); Connection extended = cluster.connect("prepareThreshold=1");
             Connection direct = cluster.connectDirect(null)) {
            for (int i = 0; i < 40; i++) {
                Generated g = generate(random);
                compare(i % 2 == 0 ? simple : extended, direct, g.sql(), g.parameters());
            }
        }
    }

    private record Generated(String sql, List<Object> parameters) {}

    /** A random query with the call in a random place, optional joins, grouping, ordering, limits and a parameter. */
    private static Generated generate(Random r) {
        String call = "pgml.predict('anywhere_linear', " + F + ")";
        String[] wrapped = {call, call + "::int", "round(" + call + ")", "(" + call + " + t.id)", "abs(" + call + " - 1000)",
                "CASE WHEN t.g = 2 THEN " + call + " END", "coalesce(" + call + ", 0)"};
        String e = wrapped[r.nextInt(wrapped.length)];
        List<Object> params = new ArrayList<>();
        boolean join = r.nextBoolean();
        String from = join ? "anywhere_t t JOIN anywhere_g u ON u.g = t.g" : "anywhere_t t";
        StringBuilder where = new StringBuilder();
        if (r.nextBoolean()) {
            params.add(r.nextInt(180));
            where.append(" WHERE t.id > ?");
        }
        if (r.nextInt(3) == 0) {
            where.append(where.isEmpty() ? " WHERE " : " AND ").append(call).append(" > ").append(r.nextInt(3000)).append(".5");
        }
        switch (r.nextInt(4)) {
            case 0 -> {
                return new Generated("SELECT t.id, " + e + " AS v FROM " + from + where + " ORDER BY t.id", params);
            }
            case 1 -> {
                int limit = 1 + r.nextInt(20);
                return new Generated("SELECT t.id" + (join ? ", u.label" : "") + " FROM " + from + where + " ORDER BY " + e
                        + (r.nextBoolean() ? " DESC" : "") + " NULLS LAST, t.id LIMIT " + limit, params);
            }
            case 2 -> {
                return new Generated("SELECT t.g, count(*) AS n, sum(" + e + ")::bigint AS s FROM " + from + where
                        + " GROUP BY t.g" + (r.nextBoolean() ? " HAVING sum(" + call + ") > 100" : "") + " ORDER BY t.g", params);
            }
            default -> {
                return new Generated("WITH q AS (SELECT t.id, " + e + " AS v FROM " + from + where + ") SELECT count(*), min(v), max(v) FROM q",
                        params);
            }
        }
    }

    static void compare(Connection sidecar, Connection direct, String sql, List<Object> parameters) throws SQLException {
        List<List<Object>> expected;
        List<String> expectedColumns;
        String oracleSql = sql.replace("pgml.predict(", "oracle.predict(");
        try (PreparedStatement ps = direct.prepareStatement(oracleSql)) {
            bind(ps, parameters);
            try (ResultSet rs = ps.executeQuery()) {
                expectedColumns = columns(rs.getMetaData());
                expected = rows(rs);
            }
        }
        List<List<Object>> actual;
        List<String> actualColumns;
        try (PreparedStatement ps = sidecar.prepareStatement(sql)) {
            bind(ps, parameters);
            try (ResultSet rs = ps.executeQuery()) {
                actualColumns = columns(rs.getMetaData());
                actual = rows(rs);
            }
        } catch (SQLException e) {
            fail("through the sidecar: " + sql + "\n" + e.getMessage(), e);
            return;
        }
        assertEquals(expectedColumns, actualColumns, "column names and types of " + sql);
        assertEquals(expected.size(), actual.size(), "row count of " + sql);
        for (int i = 0; i < expected.size(); i++) {
            List<Object> e = expected.get(i);
            List<Object> a = actual.get(i);
            for (int j = 0; j < e.size(); j++) {
                Object ev = e.get(j);
                Object av = a.get(j);
                if (ev instanceof Number en && av instanceof Number an) {
                    assertEquals(en.doubleValue(), an.doubleValue(), 1e-2 * Math.max(1, Math.abs(en.doubleValue())) * 1e-3 + 1e-2,
                            "row " + i + " column " + j + " of " + sql);
                } else {
                    assertEquals(ev, av, "row " + i + " column " + j + " of " + sql);
                }
            }
        }
        assertTrue(sidecar.isValid(2));
    }

    private static void bind(PreparedStatement ps, List<Object> parameters) throws SQLException {
        for (int i = 0; i < parameters.size(); i++) {
            ps.setObject(i + 1, parameters.get(i));
        }
    }

    private static List<String> columns(ResultSetMetaData md) throws SQLException {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            out.add(md.getColumnName(i) + ":" + md.getColumnTypeName(i));
        }
        return out;
    }

    private static List<List<Object>> rows(ResultSet rs) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                row.add(rs.getObject(i));
            }
            out.add(row);
        }
        return out;
    }
}
