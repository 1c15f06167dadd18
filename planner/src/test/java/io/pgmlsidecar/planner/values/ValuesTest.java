package io.pgmlsidecar.planner.values;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void textArraysRoundTrip() {
        List<String> values = Arrays.asList("plain", "with, comma", "quote \" and \\ slash", null, "", "NULL");
        assertEquals(values, TextArrays.parse(TextArrays.toText(values)));
        assertEquals(List.of("a", "b"), TextArrays.parse("{a,b}"));
        assertEquals(Arrays.asList("m", null, "{}"), TextArrays.parse("{m,NULL,\"{}\"}"));
        assertEquals(List.of(), TextArrays.parse("{}"));
    }

    @Test
    void float4ArrayFormats() {
        float[] v = {0.5f, -1.25e-7f, 3f};
        assertEquals("{0.5,-1.25e-07,3}", Float4Arrays.toText(v));
        assertEquals("{0,-0,100000,1e+06,0.0001,1e-05,1.234567e+06,NaN,-Infinity}", Float4Arrays.toText(
                new float[] {0f, -0f, 1e5f, 1e6f, 1e-4f, 1e-5f, 1234567f, Float.NaN, Float.NEGATIVE_INFINITY}));
        assertEquals("1e+15", PgFloats.toText(1e15));
        assertEquals("123456789012345", PgFloats.toText(123456789012345d));
        assertEquals("0.9486081370449679", PgFloats.toText(0.9486081370449679));
        ByteBuffer b = ByteBuffer.wrap(Float4Arrays.toBinary(v));
        assertEquals(1, b.getInt());
        assertEquals(0, b.getInt());
        assertEquals(PgTypes.FLOAT4, b.getInt());
        assertEquals(3, b.getInt());
        assertEquals(1, b.getInt());
        float[] back = new float[3];
        for (int i = 0; i < 3; i++) {
            assertEquals(4, b.getInt());
            back[i] = b.getFloat();
        }
        assertArrayEquals(v, back);
    }
}
