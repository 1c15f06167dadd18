package io.pgmlsidecar.it.pgjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code setFetchSize} with autocommit off: pgjdbc sends Execute with a row limit and PostgreSQL
 * answers PortalSuspended after every 100 rows; the next Execute resumes the same portal.
 */
class PgjdbcFetchSizeCursorTest {

    private static final String TABLE = "it_jdbc_cursor";
    private static final int ROWS = 10_000;
    private static final TestCluster cluster = TestCluster.get();

    @BeforeAll
    static void fill() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (id int PRIMARY KEY, payload text)");
            s.execute("INSERT INTO " + TABLE + " SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, " + ROWS + ") g");
        }
    }

    @AfterAll
    static void drop() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    @Test
    void allRowsArriveInOrderOneHundredAtATime() throws Exception {
        try (Connection c = cluster.connect(null)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, payload, md5(id::text) FROM " + TABLE + " ORDER BY id")) {
                ps.setFetchSize(100);
                int expected = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        expected++;
                        assertEquals(expected, rs.getInt(1));
                        String md5 = rs.getString(3);
                        assertEquals(md5 + md5 + md5, rs.getString(2));
                    }
                }
                assertEquals(ROWS, expected);
            }
            c.commit();
        }
    }

    @Test
    void interleavedStatementsWhileACursorIsOpen() throws Exception {
        // two suspended portals and ordinary statements interleaved in one transaction
        try (Connection c = cluster.connect("prepareThreshold=1")) {
            c.setAutoCommit(false);
            try (Statement a = c.createStatement(); Statement b = c.createStatement(); Statement other = c.createStatement()) {
                a.setFetchSize(100);
                b.setFetchSize(37);
                try (ResultSet ra = a.executeQuery("SELECT g FROM generate_series(1, 5000) g");
                     ResultSet rb = b.executeQuery("SELECT id FROM " + TABLE + " WHERE id % 2 = 0 ORDER BY id DESC")) {
                    int na = 0;
                    int nb = 0;
                    boolean moreA = true;
                    boolean moreB = true;
                    while (moreA || moreB) {
                        if (moreA && (moreA = ra.next())) {
                            na++;
                            assertEquals(na, ra.getInt(1));
                        }
                        if (moreB && (moreB = rb.next())) {
                            assertEquals(ROWS - 2 * nb, rb.getInt(1));
                            nb++;
                        }
                        if ((na + nb) % 997 == 0) {
                            try (ResultSet r = other.executeQuery("SELECT " + na + " + " + nb)) {
                                assertTrue(r.next());
                                assertEquals(na + nb, r.getInt(1));
                            }
                        }
                    }
                    assertEquals(5000, na);
                    assertEquals(ROWS / 2, nb);
                }
            }
            c.commit();
        }
    }

    @Test
    void closingACursorEarlyLeavesTheConnectionUsable() throws Exception {
        try (Connection c = cluster.connect(null)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(100);
                try (ResultSet rs = s.executeQuery("SELECT id FROM " + TABLE + " ORDER BY id")) {
                    for (int i = 1; i <= 250; i++) {
                        assertTrue(rs.next());
                        assertEquals(i, rs.getInt(1));
                    }
                }
                c.commit();
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + TABLE)) {
                    assertTrue(rs.next());
                    assertEquals(ROWS, rs.getInt(1));
                }
            }
            c.commit();
        }
    }
}
