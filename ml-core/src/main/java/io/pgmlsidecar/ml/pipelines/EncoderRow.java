package io.pgmlsidecar.ml.pipelines;

import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.onnx.OnnxEncoder;
import java.util.Arrays;
import java.util.Map;

/** One input's slice of an encoder batch's head outputs, its padding left out. */
public record EncoderRow(Map<String, OnnxEncoder.Tensor> batch, int index, int length) {

    /** A {@code [batch, k]} output's row (e.g. classification logits). */
    public float[] vector(String name) {
        OnnxEncoder.Tensor t = batch.get(name);
        int k = (int) (t.data().length / t.shape()[0]);
        return Arrays.copyOfRange(t.data(), index * k, index * k + k);
    }

    /** A {@code [batch, seq]} output's values for this input's tokens (e.g. start_logits). */
    public float[] perToken(String name) {
        OnnxEncoder.Tensor t = batch.get(name);
        int seq = (int) t.shape()[1];
        return Arrays.copyOfRange(t.data(), index * seq, index * seq + length);
    }

    /** A {@code [batch, seq, k]} output's rows for this input's tokens (e.g. token logits, hidden states). */
    public float[][] perTokenVectors(String name) {
        OnnxEncoder.Tensor t = batch.get(name);
        if (t.shape().length != 3) {
            throw new MlException("output " + name + " has shape " + Arrays.toString(t.shape()) + ", expected [batch, seq, k]");
        }
        int seq = (int) t.shape()[1], k = (int) t.shape()[2];
        float[][] out = new float[length][];
        for (int i = 0; i < length; i++) {
            int base = (index * seq + i) * k;
            out[i] = Arrays.copyOfRange(t.data(), base, base + k);
        }
        return out;
    }
}
