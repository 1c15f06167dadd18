package io.pgmlsidecar.ml.tabular;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkedDeflateTest {

    private static byte[] roundTrip(byte[] raw, int parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChunkedDeflate.write(raw, parts, new DataOutputStream(out));
        try (var in = ChunkedDeflate.read(new DataInputStream(new ByteArrayInputStream(out.toByteArray())))) {
            return in.readAllBytes();
        }
    }

    @Test
    void anyNumberOfPartsInflatesBackToTheSameBytes() throws IOException {
        Random random = new Random(7);
        byte[] raw = new byte[1_000_003];
        for (int i = 0; i < raw.length; i++) {
            // half compressible text-like runs, half noise
            raw[i] = i % 2 == 0 ? (byte) ('a' + i % 7) : (byte) random.nextInt();
        }
        for (int parts : new int[] {1, 2, 3, 8}) {
            assertArrayEquals(raw, roundTrip(raw, parts), parts + " parts");
        }
        assertArrayEquals(new byte[0], roundTrip(new byte[0], 1));
        assertArrayEquals(new byte[] {42}, roundTrip(new byte[] {42}, 3));
    }

    @Test
    void onePartPerCoreAndQuarterMegabyte() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(1, ChunkedDeflate.parts(10_000));
        assertEquals(Math.min(cores, 4), ChunkedDeflate.parts(4 * ChunkedDeflate.MIN_PART_BYTES));
        assertTrue(ChunkedDeflate.parts(Integer.MAX_VALUE) <= cores);
    }

    @Test
    void corruptLayoutIsAnIoError() {
        byte[] bad = {0, 0, 0, 0};
        assertThrows(IOException.class, () -> ChunkedDeflate.read(new DataInputStream(new ByteArrayInputStream(bad))));
    }
}
