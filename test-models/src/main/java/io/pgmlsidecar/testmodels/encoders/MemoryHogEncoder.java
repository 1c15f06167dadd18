package io.pgmlsidecar.testmodels.encoders;

import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real ONNX encoder whose token vectors are enormous: {@code last_hidden_state} is each token id broadcast to
 * {@code hidden} dimensions ({@code Cast → Unsqueeze → Expand}), declared as {@code [batch, sequence, hidden]}. The
 * file stays tiny, but one batch of {@code t} tokens makes ONNX Runtime produce {@code t × hidden} floats that the
 * runtime copies onto the Java heap: with {@code hidden} in the millions a few tokens are more than a small heap,
 * which is how the tests make a model run out of memory for real.
 */
public final class MemoryHogEncoder {
    private MemoryHogEncoder() {}

    /** Writes the model in Hugging Face layout (tiny vocabulary tokenizer, max length {@code maxLength}). */
    public static Path write(Path dir, long hidden, int maxLength) throws IOException {
        OnnxGraph g = new OnnxGraph("memory-hog-encoder");
        g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
        g.input("attention_mask", OnnxGraph.INT64, "batch", "sequence");
        String ids = g.op("Cast", Map.of("to", (long) OnnxGraph.FLOAT), "input_ids");
        String column = g.op("Unsqueeze", ids, g.longs("axes", 2));
        g.op("Expand", List.of(column, g.longs("shape", 1, 1, hidden)), List.of("last_hidden_state"), Map.of());
        g.output("last_hidden_state", OnnxGraph.FLOAT, "batch", "sequence", (int) hidden);
        return HfEncoderDirectory.write(dir, g, List.of(), null, maxLength);
    }
}
