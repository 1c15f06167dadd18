package io.pgmlsidecar.testmodels.encoders;

import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An NLI classifier: {@code overlap} = number of distinct content words found in both the premise
 * (token type 0) and the hypothesis (token type 1); logits {contradiction, neutral, entailment} =
 * {1 − 2·overlap, 0, 2·overlap − 1}. Function words (the template's "this example is .") do not count.
 */
public final class TinyNli {
    public static final List<String> LABELS = List.of("contradiction", "neutral", "entailment");
    public static final Set<String> FUNCTION_WORDS = Set.of("the", "a", "is", "was", "this", "example", "of", "in",
            "and", ".", "?", "!", ",");

    private TinyNli() {}

    public static Path write(Path dir, int maxLength) throws IOException {
        OnnxGraph g = overlapGraph("tiny-nli");
        String scaled = g.op("MatMul", "overlap", g.floats("w", new float[][] {{-2, 0, 2}}));
        g.op("Add", List.of(scaled, g.floats("bias", new float[] {1, 0, -1}, 3)), List.of("logits"), Map.of());
        g.output("logits", OnnxGraph.FLOAT, "batch", 3);
        return HfEncoderDirectory.write(dir, g, LABELS, null, maxLength);
    }

    /**
     * A BERT-like graph whose tensor {@code overlap} [batch, 1] counts the content words that occur in
     * both segments of a text pair (token_type_ids 0 and 1).
     */
    static OnnxGraph overlapGraph(String name) {
        int v = TinyVocab.size();
        float[][] eye = new float[v][v];
        for (int i = 5; i < v; i++) { // ids 0..4 are special tokens
            if (!FUNCTION_WORDS.contains(TinyVocab.TOKENIZER.vocab().get(i))) eye[i][i] = 1;
        }
        OnnxGraph g = new OnnxGraph(name);
        g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
        g.input("attention_mask", OnnxGraph.INT64, "batch", "sequence");
        g.input("token_type_ids", OnnxGraph.INT64, "batch", "sequence");
        String words = g.op("Gather", g.floats("eye", eye), "input_ids");                 // [b, s, v]
        String mask = HfEncoderDirectory.floatMask3d(g, "attention_mask");                  // [b, s, 1]
        String types = HfEncoderDirectory.floatMask3d(g, "token_type_ids");                 // [b, s, 1]
        String hypothesis = g.op("Mul", types, mask);
        String premise = g.op("Mul", g.op("Sub", g.scalar("one", 1f), types), mask);
        String inPremise = g.op("ReduceMax", Map.of("axes", new long[] {1}, "keepdims", 0L), g.op("Mul", words, premise));
        String inHypothesis = g.op("ReduceMax", Map.of("axes", new long[] {1}, "keepdims", 0L), g.op("Mul", words, hypothesis));
        g.op("ReduceSum", List.of(g.op("Mul", inPremise, inHypothesis), g.longs("axes1", 1)),
                List.of("overlap"), Map.of("keepdims", 1L));                                // [b, 1]
        return g;
    }
}
