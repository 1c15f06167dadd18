package io.pgmlsidecar.ml.transformers.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Small helpers around ONNX Runtime calls shared by the decoders. */
final class OrtRuns {
    private OrtRuns() {}

    static OnnxTensor longs(long[][] rows) {
        int r = rows.length;
        int c = r == 0 ? 0 : rows[0].length;
        long[] flat = new long[r * c];
        for (int i = 0; i < r; i++) System.arraycopy(rows[i], 0, flat, i * c, c);
        try {
            return OnnxTensor.createTensor(PastCache.env(), LongBuffer.wrap(flat), new long[] {r, c});
        } catch (OrtException e) {
            throw new MlException("cannot create input tensor: " + e.getMessage(), e);
        }
    }

    static OnnxTensor bool(boolean v) {
        try {
            return OnnxTensor.createTensor(PastCache.env(), new boolean[] {v});
        } catch (OrtException e) {
            throw new MlException("cannot create input tensor: " + e.getMessage(), e);
        }
    }

    /** Runs {@code session} with the inputs it declares (others are left out); the caller closes the result. */
    static OrtSession.Result run(OrtSession session, Map<String, ? extends OnnxTensor> available) {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        Set<String> declared = session.getInputNames();
        for (String n : declared) {
            OnnxTensor t = available.get(n);
            if (t == null) {
                throw new ModelFormatException("the generation graph wants input '" + n + "', which this runtime does not"
                        + " provide (inputs given: " + available.keySet() + ")");
            }
            feed.put(n, t);
        }
        try {
            return session.run(feed);
        } catch (OrtException e) {
            throw new MlException("ONNX Runtime failed in a generation step: " + e.getMessage(), e);
        }
    }

    /** The last position's logits of each row from a {@code [rows, seq, vocab]} (or {@code [rows, vocab]}) output. */
    static float[][] lastLogits(OrtSession.Result result) {
        Optional<OnnxValue> v = result.get("logits");
        if (v.isEmpty()) throw new ModelFormatException("the generation graph has no 'logits' output");
        OnnxTensor t = (OnnxTensor) v.get();
        long[] shape = t.getInfo().getShape();
        int rows = (int) shape[0];
        int seq = shape.length == 3 ? (int) shape[1] : 1;
        int vocab = (int) shape[shape.length - 1];
        FloatBuffer fb = t.getFloatBuffer();
        float[][] out = new float[rows][vocab];
        for (int r = 0; r < rows; r++) fb.get(((r * seq) + seq - 1) * vocab, out[r], 0, vocab);
        return out;
    }

    /** Opens {@code file} on the configured device and records the session in {@code opened} (closed together on failure). */
    static OrtSession open(io.pgmlsidecar.ml.onnx.OrtSessions sessions, java.nio.file.Path file, List<OrtSession> opened) {
        try {
            OrtSession s = sessions.open(io.pgmlsidecar.ml.store.ModelArtifact.file(file)).session();
            opened.add(s);
            return s;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void closeAll(List<? extends AutoCloseable> items) {
        for (AutoCloseable c : items) PastCache.closeQuietly(c);
    }
}
