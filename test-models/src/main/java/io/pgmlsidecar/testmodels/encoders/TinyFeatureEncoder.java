package io.pgmlsidecar.testmodels.encoders;

import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A bare encoder: {@code last_hidden_state[b,t] = EMB[input_ids[b,t]]} with {@code EMB[i] = (i, -i, i/10, 1)},
 * so each token's vector names its id.
 */
public final class TinyFeatureEncoder {
    public static final int DIM = 4;

    private TinyFeatureEncoder() {}

    public static float[] vector(int id) {
        return new float[] {id, -id, id / 10f, 1};
    }

    public static OnnxGraph graph() {
        float[][] emb = new float[TinyVocab.size()][];
        for (int i = 0; i < emb.length; i++) emb[i] = vector(i);
        OnnxGraph g = new OnnxGraph("tiny-features");
        g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
        g.input("attention_mask", OnnxGraph.INT64, "batch", "sequence");
        g.op("Gather", List.of(g.floats("emb", emb), "input_ids"), List.of("last_hidden_state"), Map.of());
        g.output("last_hidden_state", OnnxGraph.FLOAT, "batch", "sequence", DIM);
        return g;
    }

    public static Path write(Path dir, int maxLength) throws IOException {
        return HfEncoderDirectory.write(dir, graph(), List.of(), null, maxLength);
    }
}
