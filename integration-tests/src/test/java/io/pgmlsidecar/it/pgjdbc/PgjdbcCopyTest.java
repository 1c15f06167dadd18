package io.pgmlsidecar.it.pgjdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.io.ByteArrayOutputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/** COPY FROM STDIN / TO STDOUT through the sidecar with pgjdbc's CopyManager. */
class PgjdbcCopyTest {

    private static final String TABLE = "it_jdbc_copy";
    private static final int ROWS = 100_000;
    private static final TestCluster cluster = TestCluster.get();

    @BeforeEach
    void recreate() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE TABLE " + TABLE + " (id int PRIMARY KEY, name text, score float8)");
        }
    }

    @AfterAll
    static void drop() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    /** The text-format line for row {@code i}; a few rows carry tabs, backslashes and NULLs. */
    private static String line(int i) {
        String name = switch (i % 1000) {
            case 7 -> "tab\\there";
            case 8 -> "back\\\\slash";
            case 9 -> "\\N";
            default -> "name-" + i;
        };
        // formatted like PostgreSQL prints float8 (1 not 1.0) so COPY OUT can be compared byte for byte
        String score = java.math.BigDecimal.valueOf(i / 4.0).stripTrailingZeros().toPlainString();
        return i + "\t" + name + "\t" + score + "\n";
    }

    /** Streams the 100k lines without building them all in memory. */
    private static Reader rows() {
        return new Reader() {
            private int next = 1;
            private String current = "";
            private int pos;

            @Override
            public int read(char[] buf, int off, int len) {
                if (pos == current.length()) {
                    if (next > ROWS) {
                        return -1;
                    }
                    current = line(next++);
                    pos = 0;
                }
                int n = Math.min(len, current.length() - pos);
                current.getChars(pos, pos + n, buf, off);
                pos += n;
                return n;
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void copyInThenCopyOut() throws Exception {
        try (Connection c = cluster.connect(null)) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            long loaded = copy.copyIn("COPY " + TABLE + " (id, name, score) FROM STDIN", rows());
            assertEquals(ROWS, loaded);

            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), sum(id), sum(score), count(*) FILTER (WHERE name IS NULL), "
                         + "(SELECT name FROM " + TABLE + " WHERE id = 7), (SELECT name FROM " + TABLE + " WHERE id = 8) FROM " + TABLE)) {
                assertTrue(rs.next());
                assertEquals(ROWS, rs.getInt(1));
                assertEquals((long) ROWS * (ROWS + 1) / 2, rs.getLong(2));
                assertEquals((double) ROWS * (ROWS + 1) / 8, rs.getDouble(3));
                assertEquals(ROWS / 1000, rs.getInt(4));
                assertEquals("tab\there", rs.getString(5));
                assertEquals("back\\slash", rs.getString(6));
            }

            // COPY OUT gives back exactly the text that went in
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long written = copy.copyOut("COPY (SELECT id, name, score FROM " + TABLE + " ORDER BY id) TO STDOUT", out);
            assertEquals(ROWS, written);
            MessageDigest expected = MessageDigest.getInstance("SHA-256");
            for (int i = 1; i <= ROWS; i++) {
                expected.update(line(i).getBytes(StandardCharsets.UTF_8));
            }
            assertEquals(HexFormat.of().formatHex(expected.digest()),
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.toByteArray())));

            // and the same bytes as a COPY OUT straight from PostgreSQL
            try (Connection direct = cluster.connectDirect(null)) {
                ByteArrayOutputStream directOut = new ByteArrayOutputStream();
                direct.unwrap(PGConnection.class).getCopyAPI()
                        .copyOut("COPY (SELECT id, name, score FROM " + TABLE + " ORDER BY id) TO STDOUT", directOut);
                assertArrayEquals(directOut.toByteArray(), out.toByteArray());
            }

            // still usable afterwards
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max(id) FROM " + TABLE)) {
                assertTrue(rs.next());
                assertEquals(ROWS, rs.getInt(1));
            }
        }
    }

    @Test
    void copyOutCsvWithHeader() throws Exception {
        try (Connection c = cluster.connect(null)) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            StringWriter out = new StringWriter();
            long n = copy.copyOut("COPY (SELECT g AS n, 'a,' || g AS s FROM generate_series(1, 3) g) TO STDOUT WITH (FORMAT csv, HEADER)", out);
            assertEquals(3, n);
            assertEquals("n,s\n1,\"a,1\"\n2,\"a,2\"\n3,\"a,3\"\n", out.toString());
        }
    }

    @Test
    void badRowAbortsTheCopyAndTheConnectionStaysUsable() throws Exception {
        try (Connection c = cluster.connect(null)) {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder data = new StringBuilder();
            for (int i = 1; i <= 1000; i++) {
                data.append(i == 500 ? "not-a-number" : String.valueOf(i)).append("\tx\t1\n");
            }
            SQLException e = assertThrows(SQLException.class,
                    () -> copy.copyIn("COPY " + TABLE + " FROM STDIN", new StringReader(data.toString())));
            assertEquals("22P02", e.getSQLState());
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + TABLE)) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
            }
            assertEquals(2, copy.copyIn("COPY " + TABLE + " FROM STDIN", new StringReader("1\ta\t1\n2\tb\t2\n")));
        }
    }
}
