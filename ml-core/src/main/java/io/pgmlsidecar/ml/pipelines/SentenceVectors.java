package io.pgmlsidecar.ml.pipelines;

import io.pgmlsidecar.ml.onnx.OnnxEncoder;
import io.pgmlsidecar.ml.tokenize.TokenizedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One inference call of a sentence-embedding model and what follows it: the encoder's token vectors pooled per
 * row (or its pooled output taken as is), then L2-normalized when the model's pipeline normalizes. The sidecar's
 * {@code EmbeddingPipeline} and Spark's executors (spark-job) both call this, so both give the same numbers.
 */
public final class SentenceVectors {
    private SentenceVectors() {}

    /**
     * @param encoder   the model's ONNX graph
     * @param items     tokenized inputs, unpadded (the batch is right-padded with {@code padId})
     * @param padId     the tokenizer's padding id
     * @param pooling   pooling modes, concatenated in this order
     * @param normalize whether the model's pipeline ends in a {@code Normalize} module
     */
    public static List<float[]> run(OnnxEncoder encoder, List<TokenizedText> items, long padId, List<Pooling> pooling,
                                    boolean normalize) {
        List<long[]> ids = new ArrayList<>(items.size());
        List<long[]> types = new ArrayList<>(items.size());
        for (TokenizedText t : items) {
            ids.add(t.ids());
            types.add(t.typeIds());
        }
        OnnxEncoder.Output o = encoder.run(ids, types, padId);
        List<float[]> out = new ArrayList<>(items.size());
        for (int b = 0; b < items.size(); b++) {
            float[] v;
            if (o.pooled()) {
                v = Arrays.copyOfRange(o.data(), b * o.dim(), (b + 1) * o.dim());
            } else {
                v = new float[o.dim() * pooling.size()];
                for (int m = 0; m < pooling.size(); m++) {
                    pooling.get(m).pool(o.data(), b, o.seq(), o.dim(), items.get(b).length(), v, m * o.dim());
                }
            }
            if (normalize) Vectors.normalize(v);
            out.add(v);
        }
        return out;
    }

    /** The caller's kwargs after the model: keep the first {@code truncateDim} dimensions, then normalize if asked. */
    public static float[] postprocess(float[] v, Integer truncateDim, boolean normalize) {
        float[] r = truncateDim != null && truncateDim < v.length ? Arrays.copyOf(v, truncateDim) : v;
        if (normalize) Vectors.normalize(r);
        return r;
    }
}
