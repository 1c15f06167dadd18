package io.pgmlsidecar.testmodels.encoders;

import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A sequence classifier whose {@code logits[b] = Σ_t mask[b,t] · TABLE[input_ids[b,t]]}: every word
 * adds its row of {@link #table()}, so "good" pushes POSITIVE and "bad" NEGATIVE, by known amounts.
 */
public final class TinySentimentClassifier {
    public static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");

    private TinySentimentClassifier() {}

    /** Per-token logits {NEGATIVE, POSITIVE}; unlisted tokens add nothing. */
    public static float[][] table() {
        float[][] t = HfEncoderDirectory.table(2, new float[] {0, 0});
        t[TinyVocab.id("good")] = new float[] {0, 2};
        t[TinyVocab.id("great")] = new float[] {0, 3};
        t[TinyVocab.id("bad")] = new float[] {2, 0};
        t[TinyVocab.id("awful")] = new float[] {3, 0};
        t[TinyVocab.id("movie")] = new float[] {0.5f, 0};
        return t;
    }

    public static Path write(Path dir, String problemType, int maxLength) throws IOException {
        OnnxGraph g = new OnnxGraph("tiny-sentiment");
        g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
        g.input("attention_mask", OnnxGraph.INT64, "batch", "sequence");
        g.input("token_type_ids", OnnxGraph.INT64, "batch", "sequence");
        String rows = g.op("Gather", g.floats("table", table()), "input_ids");
        String masked = g.op("Mul", rows, HfEncoderDirectory.floatMask3d(g, "attention_mask"));
        g.op("ReduceSum", List.of(masked, g.longs("axes1", 1)), List.of("logits"), Map.of("keepdims", 0L));
        g.output("logits", OnnxGraph.FLOAT, "batch", 2);
        return HfEncoderDirectory.write(dir, g, LABELS, problemType, maxLength);
    }
}
