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
        assertEquals("{0.5,-1.25E-7,3.0}", Float4Arrays.toText(v));
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
