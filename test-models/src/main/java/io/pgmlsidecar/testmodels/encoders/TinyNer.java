package io.pgmlsidecar.testmodels.encoders;

import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A token classifier whose {@code logits[b,t] = TABLE[input_ids[b,t]]}: each token's label scores
 * come from its row ("john" → B-PER, "paris" → B-LOC, ...; everything else leans to O).
 */
public final class TinyNer {
    public static final List<String> LABELS = List.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC");

    private TinyNer() {}

    public static float[][] table() {
        float[][] t = HfEncoderDirectory.table(5, new float[] {2, 0, 0, 0, 0});
        t[TinyVocab.id("john")] = new float[] {0, 4, 1, 0, 0};
        t[TinyVocab.id("##son")] = new float[] {0, 1, 3, 0, 0};
        t[TinyVocab.id("smith")] = new float[] {0, 0, 4, 0, 0};
        t[TinyVocab.id("new")] = new float[] {0, 0, 0, 4, 0};
        t[TinyVocab.id("york")] = new float[] {0, 0, 0, 1, 4};
        t[TinyVocab.id("paris")] = new float[] {0, 0, 0, 4, 0};
        t[TinyVocab.id("london")] = new float[] {0, 0, 0, 4, 0};
        // "berlin" = ber ##lin: the first piece says LOC, the second (more confidently) O
        t[TinyVocab.id("ber")] = new float[] {0, 0, 0, 3, 0};
        t[TinyVocab.id("##lin")] = new float[] {5, 0, 0, 0, 1};
        return t;
    }

    public static Path write(Path dir, int maxLength) throws IOException {
        OnnxGraph g = new OnnxGraph("tiny-ner");
        g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
        g.input("attention_mask", OnnxGraph.INT64, "batch", "sequence");
        g.op("Gather", List.of(g.floats("table", table()), "input_ids"), List.of("logits"), java.util.Map.of());
        g.output("logits", OnnxGraph.FLOAT, "batch", "sequence", 5);
        return HfEncoderDirectory.write(dir, g, LABELS, null, maxLength);
    }
}
