package io.pgmlsidecar.it.pgjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** pgjdbc with no connection parameters at all: what most applications do. */
class PgjdbcDefaultSettingsTest {

    private static final String TABLE = "it_jdbc_defaults";
    private static final TestCluster cluster = TestCluster.get();

    @BeforeAll
    static void createTable() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (id int PRIMARY KEY, name text NOT NULL)");
        }
    }

    @AfterAll
    static void dropTable() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    @Test
    void plainQueriesAndServerParameters() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 + 1 AS two, 'x' || 'y' AS xy, current_user AS u")) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt("two"));
                assertEquals("xy", rs.getString("xy"));
                assertEquals("postgres", rs.getString("u"));
                assertFalse(rs.next());
            }
            // ParameterStatus messages made it through the sidecar during startup
            DatabaseMetaData md = c.getMetaData();
            assertEquals(15, md.getDatabaseMajorVersion());
            try (ResultSet rs = s.executeQuery("SHOW server_version")) {
                assertTrue(rs.next());
                assertEquals(md.getDatabaseProductVersion(), rs.getString(1));
            }
            // the pgjdbc metadata queries (large, catalog-heavy) work too
            try (ResultSet rs = md.getTables(null, "public", TABLE, new String[] {"TABLE"})) {
                assertTrue(rs.next());
                assertEquals(TABLE, rs.getString("TABLE_NAME"));
            }
            try (ResultSet rs = md.getColumns(null, "public", TABLE, null)) {
                List<String> cols = new ArrayList<>();
                while (rs.next()) {
                    cols.add(rs.getString("COLUMN_NAME"));
                }
                assertEquals(List.of("id", "name"), cols);
            }
        }
    }

    @Test
    void multipleStatementsInOneQueryString() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            assertTrue(s.execute("SELECT 1; SELECT 'two', 2; SELECT 3"));
            List<String> seen = new ArrayList<>();
            do {
                try (ResultSet rs = s.getResultSet()) {
                    assertTrue(rs.next());
                    seen.add(rs.getString(rs.getMetaData().getColumnCount()));
                }
            } while (s.getMoreResults());
            assertEquals(List.of("1", "2", "3"), seen);
        }
    }

    @Test
    void insertSelectUpdateDeleteWithCommit() throws Exception {
        try (Connection c = cluster.connect(null)) {
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + TABLE + " (id, name) VALUES (?, ?)")) {
                for (int i = 1; i <= 20; i++) {
                    ins.setInt(1, i);
                    ins.setString(2, "name-" + i);
                    assertEquals(1, ins.executeUpdate());
                }
            }
            c.commit();
            try (Statement s = c.createStatement()) {
                assertEquals(10, s.executeUpdate("UPDATE " + TABLE + " SET name = upper(name) WHERE id % 2 = 0"));
                assertEquals(5, s.executeUpdate("DELETE FROM " + TABLE + " WHERE id > 15"));
            }
            c.commit();
        }
        // visible to a connection straight to PostgreSQL: it really was committed upstream
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), string_agg(name, ',' ORDER BY id) FROM " + TABLE + " WHERE id <= 4")) {
            assertTrue(rs.next());
            assertEquals(4, rs.getInt(1));
            assertEquals("name-1,NAME-2,name-3,NAME-4", rs.getString(2));
        }
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + TABLE)) {
            assertTrue(rs.next());
            assertEquals(15, rs.getInt(1));
        }
    }
}
