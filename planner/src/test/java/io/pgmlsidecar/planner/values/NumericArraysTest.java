package io.pgmlsidecar.planner.values;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NumericArraysTest {

    @Test
    void integersDecimalsAndExponents() {
        assertArrayEquals(new double[] {1, -2, 0, 3.5, -0.25, 1e-7, 2.5e10, 123456789012345678.0},
                NumericArrays.parse("{1,-2,0,3.5,-0.25,1e-07,2.5e+10,123456789012345678}"));
    }

    @Test
    void longIntegersKeepDoubleParsing() {
        assertEquals(12345678901234567890.0, NumericArrays.parse("{12345678901234567890}")[0]);
    }

    @Test
    void nestedArraysFlattenInOrder() {
        assertArrayEquals(new double[] {0, 0, 5, 13, 9, 1, 0, 0}, NumericArrays.parse("{{0,0,5,13},{9,1,0,0}}"));
    }

    @Test
    void specialValuesNullsAndBooleans() {
        double[] v = NumericArrays.parse("{NaN,Infinity,-Infinity,NULL,t,f}");
        assertEquals(6, v.length);
        assertEquals(Double.NaN, v[0]);
        assertEquals(Double.POSITIVE_INFINITY, v[1]);
        assertEquals(Double.NEGATIVE_INFINITY, v[2]);
        assertEquals(Double.NaN, v[3]);
        assertEquals(1.0, v[4]);
        assertEquals(0.0, v[5]);
    }

    @Test
    void dimensionDecorationsEmptyArraysAndSpaces() {
        assertArrayEquals(new double[] {7, 8}, NumericArrays.parse("[0:1]={7,8}"));
        assertArrayEquals(new double[0], NumericArrays.parse("{}"));
        assertArrayEquals(new double[] {1, 2, 3}, NumericArrays.parse("{1, 2, 3}"));
        assertArrayEquals(new double[] {1, 2}, NumericArrays.parse("1,2"));
    }

    @Test
    void growsPastItsFirstBuffer() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < 1000; i++) {
            sb.append(i > 0 ? "," : "").append(i - 500);
        }
        double[] v = NumericArrays.parse(sb.append('}').toString());
        assertEquals(1000, v.length);
        assertEquals(-500, v[0]);
        assertEquals(499, v[999]);
    }

    @Test
    void garbageIsAnError() {
        assertThrows(NumberFormatException.class, () -> NumericArrays.parse("{1,abc}"));
        assertThrows(NumberFormatException.class, () -> NumericArrays.parse("{-}"));
    }
}
