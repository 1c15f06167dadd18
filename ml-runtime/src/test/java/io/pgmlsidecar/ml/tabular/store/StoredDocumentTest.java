package io.pgmlsidecar.ml.tabular.store;

import io.pgmlsidecar.ml.tabular.TabularException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every value kind a state document holds comes back exactly; damaged or foreign documents fail clearly. */
class StoredDocumentTest {

    private static StateReader roundTrip(java.util.function.Consumer<StateWriter> body) throws IOException {
        return StoredDocument.read(new ByteArrayInputStream(StoredDocument.write(body)), "the test document");
    }

    @Test
    void valuesComeBackBitExact() throws IOException {
        double[] awkward = {0.1, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, 1e-310, 1.0 / 3};
        Map<String, Integer> codes = new LinkedHashMap<>();
        codes.put("__NULL__", 0);
        codes.put("red", 1);
        codes.put("grün", 2);
        StateReader r = roundTrip(w -> w.put("d", Math.PI).put("l", Long.MAX_VALUE).put("i", -7).put("b", true).put("s", "naïve ☃")
                .put("null_text", (String) null).put("doubles", awkward).put("ints", new int[]{Integer.MIN_VALUE, 0, 3})
                .put("empty", new double[0]).put("matrix", new double[][]{{1, 2, 3}, {}, {4.5}}).put("texts", Arrays.asList("a", null, ""))
                .putBytes("raw", new byte[]{0, -1, 42}).putCodes("codes", codes)
                .putObject("nested", n -> n.put("x", 1.5).putObject("deeper", d -> d.put("y", "z")))
                .putList("items", List.of(1, 2, 3), (iw, k) -> iw.put("k", k).put("sq", new double[]{k * k})));
        assertEquals(Math.PI, r.getDouble("d"));
        assertEquals(Long.MAX_VALUE, r.getLong("l"));
        assertEquals(-7, r.getInt("i"));
        assertTrue(r.getBoolean("b"));
        assertEquals("naïve ☃", r.getString("s"));
        assertNull(r.getString("null_text"));
        assertFalse(r.has("null_text"));
        double[] back = r.doubles("doubles");
        for (int i = 0; i < awkward.length; i++) {
            assertEquals(Double.doubleToRawLongBits(awkward[i]), Double.doubleToRawLongBits(back[i]), "element " + i);
        }
        assertArrayEquals(new int[]{Integer.MIN_VALUE, 0, 3}, r.ints("ints"));
        assertEquals(0, r.doubles("empty").length);
        assertEquals(0, r.strings("empty").size(), "an empty array reads as any kind of list");
        double[][] m = r.matrix("matrix");
        assertArrayEquals(new double[]{1, 2, 3}, m[0]);
        assertEquals(0, m[1].length);
        assertArrayEquals(new double[]{4.5}, m[2]);
        assertEquals(Arrays.asList("a", null, ""), r.strings("texts"));
        assertArrayEquals(new byte[]{0, -1, 42}, r.bytes("raw"));
        assertEquals(codes, r.codes("codes"));
        assertEquals("z", r.object("nested").object("deeper").getString("y"));
        assertEquals(List.of(4.0, 9.0), r.list("items", i -> i.doubles("sq")[0]).subList(1, 3));
        assertEquals(2.5, r.getDouble("absent_added_later", 2.5));
    }

    @Test
    void aMissingOrMistypedFieldNamesItAndWhere() throws IOException {
        StateReader r = roundTrip(w -> w.putObject("estimator", e -> e.put("coef", "not numbers")));
        TabularException missing = assertThrows(TabularException.class, () -> r.object("estimator").doubles("intercept"));
        assertTrue(missing.getMessage().contains("\"intercept\"") && missing.getMessage().contains("the test document.estimator"),
                missing.getMessage());
        TabularException mistyped = assertThrows(TabularException.class, () -> r.object("estimator").doubles("coef"));
        assertTrue(mistyped.getMessage().contains("is not an array of numbers"), mistyped.getMessage());
    }

    @Test
    void truncatedDocumentsAreRefused() {
        byte[] doc = StoredDocument.write(w -> w.put("coef", new double[100]));
        byte[] cut = Arrays.copyOf(doc, doc.length / 2);
        assertThrows(IOException.class, () -> StoredDocument.read(new ByteArrayInputStream(cut), "x"));
    }
}
