package io.pgmlsidecar.testmodels.encoders;

import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A masked-LM head that predicts a token from the one before it:
 * {@code logits[b,t] = NEXT[input_ids[b,t-1]]} (position 0 reads the [PAD] row). After "the" it
 * prefers "capital", then "city"; after "of", "france".
 */
public final class TinyMaskedLm {
    private TinyMaskedLm() {}

    public static float[][] next() {
        float[][] t = HfEncoderDirectory.table(TinyVocab.size(), new float[TinyVocab.size()]);
        t[TinyVocab.id("the")][TinyVocab.id("capital")] = 6;
        t[TinyVocab.id("the")][TinyVocab.id("city")] = 4;
        t[TinyVocab.id("the")][TinyVocab.id("river")] = 2;
        t[TinyVocab.id("of")][TinyVocab.id("france")] = 5;
        return t;
    }

    public static Path write(Path dir, int maxLength) throws IOException {
        OnnxGraph g = new OnnxGraph("tiny-mlm");
        g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
        g.input("attention_mask", OnnxGraph.INT64, "batch", "sequence");
        // previous ids: [0, ids[:, :-1]] — a zero column (the [PAD] id) then all but the last id
        String axis1 = g.longs("axis1", 1);
        String head = g.op("Slice", "input_ids", g.longs("zero", 0), g.longs("one", 1), axis1);
        String zeros = g.op("Mul", head, g.longScalar("zero_scalar", 0));
        String shifted = g.op("Slice", "input_ids", g.longs("zero_b", 0), g.longs("minus_one", -1), axis1);
        String prev = g.op("Concat", Map.of("axis", 1L), zeros, shifted);
        g.op("Gather", List.of(g.floats("next", next()), prev), List.of("logits"), Map.of());
        g.output("logits", OnnxGraph.FLOAT, "batch", "sequence", TinyVocab.size());
        return HfEncoderDirectory.write(dir, g, List.of(), null, maxLength);
    }
}
