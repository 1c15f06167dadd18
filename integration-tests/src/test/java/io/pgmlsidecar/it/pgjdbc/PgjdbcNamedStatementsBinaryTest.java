package io.pgmlsidecar.it.pgjdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGResultSetMetaData;

/**
 * {@code prepareThreshold=1}: pgjdbc uses named server-side statements from the first execution and,
 * once it knows the result types, binary transfer for the columns it can decode in binary.
 */
class PgjdbcNamedStatementsBinaryTest {

    private static final String TABLE = "it_jdbc_binary";
    private static final TestCluster cluster = TestCluster.get();

    private static final BigDecimal NUMERIC = new BigDecimal("12345678901234567890.000123456789");
    private static final byte[] BYTES = {0, 1, 2, (byte) 0xff, (byte) 0x80, 0x7f, 0, 42};
    private static final OffsetDateTime INSTANT = OffsetDateTime.of(2024, 2, 29, 23, 59, 58, 123_456_000, ZoneOffset.UTC);
    private static final UUID ID = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");

    @BeforeAll
    static void createTable() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("""
                    CREATE TABLE %s (
                      id int PRIMARY KEY, big bigint, f8 float8, num numeric, txt text, bin bytea,
                      ts timestamptz, u uuid, ints int[], texts text[], f8s float8[])""".formatted(TABLE));
        }
    }

    @AfterAll
    static void dropTable() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
        }
    }

    @Test
    void binaryRoundTripOfCommonTypes() throws Exception {
        try (Connection c = cluster.connect("prepareThreshold=1&binaryTransfer=true")) {
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + TABLE
                    + " (id, big, f8, num, txt, bin, ts, u, ints, texts, f8s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int id = 1; id <= 5; id++) {
                    ins.setInt(1, id);
                    ins.setLong(2, Long.MAX_VALUE - id);
                    ins.setDouble(3, Math.PI * id);
                    ins.setBigDecimal(4, NUMERIC.multiply(BigDecimal.valueOf(id)));
                    ins.setString(5, "héllo wörld ✓ " + id);
                    ins.setBytes(6, BYTES);
                    ins.setObject(7, INSTANT.plusDays(id));
                    ins.setObject(8, ID);
                    ins.setArray(9, c.createArrayOf("int4", new Integer[] {id, null, -id, Integer.MIN_VALUE}));
                    ins.setArray(10, c.createArrayOf("text", new String[] {"a", "b,c", "\"q\"", null, ""}));
                    ins.setArray(11, c.createArrayOf("float8", new Double[] {0.5, -1e300, Double.NaN}));
                    assertEquals(1, ins.executeUpdate());
                }
                // NULLs in every column
                ins.setInt(1, 6);
                ins.setNull(2, Types.BIGINT);
                ins.setNull(3, Types.DOUBLE);
                ins.setNull(4, Types.NUMERIC);
                ins.setNull(5, Types.VARCHAR);
                ins.setNull(6, Types.BINARY);
                ins.setNull(7, Types.TIMESTAMP_WITH_TIMEZONE);
                ins.setNull(8, Types.OTHER);
                ins.setNull(9, Types.ARRAY);
                ins.setNull(10, Types.ARRAY);
                ins.setNull(11, Types.ARRAY);
                assertEquals(1, ins.executeUpdate());
            }

            try (PreparedStatement sel = c.prepareStatement("SELECT id, big, f8, num, txt, bin, ts, u, ints, texts, f8s FROM "
                    + TABLE + " WHERE id = ?")) {
                boolean sawBinaryInt = false;
                // several executions: the first one describes, the later ones reuse the named statement
                for (int round = 0; round < 3; round++) {
                    for (int id = 1; id <= 5; id++) {
                        sel.setInt(1, id);
                        try (ResultSet rs = sel.executeQuery()) {
                            assertTrue(rs.next());
                            assertEquals(id, rs.getInt("id"));
                            assertEquals(Long.MAX_VALUE - id, rs.getLong("big"));
                            assertEquals(Math.PI * id, rs.getDouble("f8"));
                            assertEquals(0, NUMERIC.multiply(BigDecimal.valueOf(id)).compareTo(rs.getBigDecimal("num")));
                            assertEquals("héllo wörld ✓ " + id, rs.getString("txt"));
                            assertArrayEquals(BYTES, rs.getBytes("bin"));
                            assertEquals(INSTANT.plusDays(id).toInstant(), rs.getObject("ts", OffsetDateTime.class).toInstant());
                            assertEquals(ID, rs.getObject("u", UUID.class));
                            Array ints = rs.getArray("ints");
                            assertArrayEquals(new Integer[] {id, null, -id, Integer.MIN_VALUE}, (Integer[]) ints.getArray());
                            assertArrayEquals(new String[] {"a", "b,c", "\"q\"", null, ""}, (String[]) rs.getArray("texts").getArray());
                            Double[] f8s = (Double[]) rs.getArray("f8s").getArray();
                            assertEquals(0.5, f8s[0]);
                            assertEquals(-1e300, f8s[1]);
                            assertTrue(Double.isNaN(f8s[2]));
                            assertFalse(rs.next());
                            PGResultSetMetaData md = rs.getMetaData().unwrap(PGResultSetMetaData.class);
                            sawBinaryInt |= md.getFormat(1) == 1;
                        }
                    }
                }
                assertTrue(sawBinaryInt, "pgjdbc should have switched to binary transfer for the int column");

                sel.setInt(1, 6);
                try (ResultSet rs = sel.executeQuery()) {
                    assertTrue(rs.next());
                    for (int col = 2; col <= 11; col++) {
                        assertEquals(null, rs.getObject(col), "column " + col);
                    }
                }
            }
        }
    }

    @Test
    void binaryParametersAndAggregates() throws Exception {
        try (Connection c = cluster.connect("prepareThreshold=1");
             PreparedStatement ps = c.prepareStatement(
                     "SELECT ?::int4 + 1, ?::float8 * 2, ?::numeric / 4, length(?::bytea), ?::uuid::text, "
                             + "array_length(?::int8[], 1), ?::timestamptz + interval '1 hour'")) {
            for (int i = 0; i < 4; i++) {
                ps.setInt(1, 41 + i);
                ps.setDouble(2, 1.25);
                ps.setBigDecimal(3, new BigDecimal("10"));
                ps.setBytes(4, new byte[1000 + i]);
                ps.setObject(5, ID);
                ps.setArray(6, c.createArrayOf("int8", new Long[] {1L, 2L, 3L}));
                ps.setObject(7, INSTANT);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(42 + i, rs.getInt(1));
                    assertEquals(2.5, rs.getDouble(2));
                    assertEquals(0, new BigDecimal("2.5").compareTo(rs.getBigDecimal(3)));
                    assertEquals(1000 + i, rs.getInt(4));
                    assertEquals(ID.toString(), rs.getString(5));
                    assertEquals(3, rs.getInt(6));
                    assertEquals(INSTANT.plusHours(1).toInstant(), rs.getObject(7, OffsetDateTime.class).toInstant());
                }
            }
        }
    }

    @Test
    void manyNamedStatementsAndDeallocation() throws Exception {
        // a small statement cache forces pgjdbc to Close named statements and re-Parse them
        try (Connection c = cluster.connect("prepareThreshold=1&preparedStatementCacheQueries=2")) {
            for (int round = 0; round < 3; round++) {
                for (int k = 0; k < 6; k++) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT ?::int * " + k + " AS v")) {
                        ps.setInt(1, round + 1);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next());
                            assertEquals((round + 1) * k, rs.getInt(1));
                        }
                    }
                }
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_prepared_statements")) {
                assertTrue(rs.next());
                assertTrue(rs.getInt(1) <= 3, "closed statements should be gone upstream, found " + rs.getInt(1));
            }
        }
    }

    @Test
    void largeValuesCrossManyNetworkReads() throws Exception {
        byte[] big = new byte[8 * 1024 * 1024 + 13];
        new java.util.Random(42).nextBytes(big);
        String text = "ä".repeat(1_500_000) + "end";
        try (Connection c = cluster.connect("prepareThreshold=1")) {
            for (int round = 0; round < 2; round++) {
                try (PreparedStatement ps = c.prepareStatement("SELECT ?::bytea, md5(?::bytea), ?::text, length(?::text)")) {
                    ps.setBytes(1, big);
                    ps.setBytes(2, big);
                    ps.setString(3, text);
                    ps.setString(4, text);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertArrayEquals(big, rs.getBytes(1));
                        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(big)),
                                rs.getString(2));
                        assertEquals(text, rs.getString(3));
                        assertEquals(text.length(), rs.getInt(4));
                    }
                }
            }
        }
    }
}
