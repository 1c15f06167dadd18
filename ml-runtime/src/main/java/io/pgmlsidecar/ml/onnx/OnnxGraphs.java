package io.pgmlsidecar.ml.onnx;

import io.pgmlsidecar.ml.store.ModelArtifact;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Cheap facts about an ONNX file without parsing it. */
public final class OnnxGraphs {
    private OnnxGraphs() {}

    /**
     * Whether the graph quantizes activations dynamically ({@code DynamicQuantizeLinear}, as in the
     * int8 exports of Optimum / transformers.js). Such graphs compute one int8 scale over the whole
     * input tensor, so a text's vector depends on what else is in its batch (and on padding): they
     * must run one text per call to be deterministic.
     */
    public static boolean isDynamicallyQuantized(ModelArtifact onnx) throws IOException {
        return contains(onnx, "DynamicQuantizeLinear");
    }

    /** Same, on the graph's bytes already in memory. */
    public static boolean isDynamicallyQuantized(byte[] onnx) {
        Matcher m = new Matcher("DynamicQuantizeLinear");
        return m.feed(onnx, onnx.length);
    }

    /** Whether the file contains {@code text} (op types are stored as plain strings in the protobuf). */
    static boolean contains(ModelArtifact onnx, String text) throws IOException {
        Matcher m = new Matcher(text);
        try (InputStream in = new BufferedInputStream(onnx.open(), 1 << 16)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (m.feed(buf, n)) return true;
            }
        }
        return false;
    }

    /** Knuth-Morris-Pratt substring search over a stream of chunks. */
    private static final class Matcher {
        private final byte[] pat;
        private final int[] fail;
        private int k;

        Matcher(String text) {
            pat = text.getBytes(StandardCharsets.UTF_8);
            fail = new int[pat.length];
            for (int i = 1, j = 0; i < pat.length; i++) {
                while (j > 0 && pat[i] != pat[j]) j = fail[j - 1];
                if (pat[i] == pat[j]) j++;
                fail[i] = j;
            }
        }

        boolean feed(byte[] buf, int n) {
            for (int i = 0; i < n; i++) {
                while (k > 0 && buf[i] != pat[k]) k = fail[k - 1];
                if (buf[i] == pat[k]) k++;
                if (k == pat.length) return true;
            }
            return false;
        }
    }
}
