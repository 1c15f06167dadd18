package io.pgmlsidecar.it.pgjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An error inside a transaction aborts it; after ROLLBACK the same connection works again. */
class PgjdbcTransactionErrorTest {

    private static final String TABLE = "it_jdbc_txerr";
    private static final TestCluster cluster = TestCluster.get();

    @BeforeEach
    void recreate() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (id int PRIMARY KEY)");
        }
    }

    @AfterAll
    static void drop() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"preferQueryMode=simple", "preferQueryMode=extended", "prepareThreshold=1"})
    void errorThenRollbackThenUsable(String params) throws Exception {
        try (Connection c = cluster.connect(params)) {
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + TABLE + " VALUES (?)")) {
                ins.setInt(1, 1);
                ins.executeUpdate();
                ins.setInt(1, 2);
                ins.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                SQLException div = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1 / (id - id) FROM " + TABLE));
                assertEquals("22012", div.getSQLState());
                SQLException aborted = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO " + TABLE + " VALUES (3)"));
                assertEquals("25P02", aborted.getSQLState());
                SQLException undefined = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM it_jdbc_no_such_table"));
                assertEquals("25P02", undefined.getSQLState(), "still aborted before the rollback");
            }
            c.rollback();
            try (Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + TABLE)) {
                    assertTrue(rs.next());
                    assertEquals(0, rs.getInt(1), "the rolled back inserts are gone");
                }
                assertEquals(1, s.executeUpdate("INSERT INTO " + TABLE + " VALUES (7)"));
            }
            c.commit();
        }
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT array_agg(id) FROM " + TABLE)) {
            assertTrue(rs.next());
            assertEquals("{7}", rs.getString(1));
        }
    }

    @Test
    void savepointRollbackKeepsTheTransaction() throws Exception {
        try (Connection c = cluster.connect(null)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO " + TABLE + " VALUES (1)");
                Savepoint sp = c.setSavepoint("sp1");
                SQLException dup = assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO " + TABLE + " VALUES (1)"));
                assertEquals("23505", dup.getSQLState());
                c.rollback(sp);
                s.executeUpdate("INSERT INTO " + TABLE + " VALUES (2)");
            }
            c.commit();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT array_agg(id ORDER BY id) FROM " + TABLE)) {
                assertTrue(rs.next());
                assertEquals("{1,2}", rs.getString(1));
            }
        }
    }

    @Test
    void errorInAutocommitDoesNotPoisonTheSession() throws Exception {
        try (Connection c = cluster.connect(null); Statement s = c.createStatement()) {
            SQLException syntax = assertThrows(SQLException.class, () -> s.execute("SELEC 1"));
            assertEquals("42601", syntax.getSQLState());
            try (ResultSet rs = s.executeQuery("SELECT 'ok'")) {
                assertTrue(rs.next());
                assertEquals("ok", rs.getString(1));
            }
        }
    }
}
