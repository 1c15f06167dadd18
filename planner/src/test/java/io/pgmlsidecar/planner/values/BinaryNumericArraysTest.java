package io.pgmlsidecar.planner.values;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Arrays laid out as PostgreSQL's array_send writes them (the integration tests read real ones). */
class BinaryNumericArraysTest {

    @Test
    void twoDimensionalSmallintsFlattenInOrder() {
        ByteBuffer b = header(2, 21, new int[] {2, 2});
        for (short v : new short[] {0, -3, 16, 7}) {
            b.putInt(2).putShort(v);
        }
        assertArrayEquals(new double[] {0, -3, 16, 7}, BinaryNumericArrays.parse(b.array()));
    }

    @Test
    void eachElementTypeAndNulls() {
        ByteBuffer b = header(1, 701, new int[] {3});
        b.putInt(8).putDouble(1.5).putInt(-1).putInt(8).putDouble(-2e-3);
        double[] v = BinaryNumericArrays.parse(b.array());
        assertEquals(1.5, v[0]);
        assertEquals(Double.NaN, v[1]);
        assertEquals(-2e-3, v[2]);
        assertArrayEquals(new double[] {2.25f}, BinaryNumericArrays.parse(header(1, 700, new int[] {1}).putInt(4).putFloat(2.25f).array()));
        assertArrayEquals(new double[] {-7}, BinaryNumericArrays.parse(header(1, 23, new int[] {1}).putInt(4).putInt(-7).array()));
        assertArrayEquals(new double[] {1L << 40}, BinaryNumericArrays.parse(header(1, 20, new int[] {1}).putInt(8).putLong(1L << 40).array()));
    }

    @Test
    void emptyArray() {
        assertArrayEquals(new double[0], BinaryNumericArrays.parse(ByteBuffer.allocate(12).putInt(0).putInt(0).putInt(23).array()));
    }

    @Test
    void whichTypesReadInBinary() {
        assertTrue(BinaryNumericArrays.supports("_int2"));
        assertTrue(BinaryNumericArrays.supports("_float8"));
        assertFalse(BinaryNumericArrays.supports("_numeric"));
        assertFalse(BinaryNumericArrays.supports("_text"));
    }

    @Test
    void otherElementTypesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> BinaryNumericArrays.parse(header(1, 1700, new int[] {1}).putInt(2).putShort((short) 1).array()));
    }

    private static ByteBuffer header(int dims, int elementOid, int[] sizes) {
        ByteBuffer b = ByteBuffer.allocate(1024);
        b.putInt(dims).putInt(0).putInt(elementOid);
        for (int s : sizes) {
            b.putInt(s).putInt(1);
        }
        return b;
    }
}
