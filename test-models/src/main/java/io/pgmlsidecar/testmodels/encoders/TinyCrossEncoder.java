package io.pgmlsidecar.testmodels.encoders;

import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A cross-encoder (one relevance logit per (query, document) pair, as sentence-transformers'
 * CrossEncoder models have): {@code logit = 2 · overlap − 1}, where overlap counts the content words
 * the query and the document share ({@link TinyNli#overlapGraph}).
 */
public final class TinyCrossEncoder {
    private TinyCrossEncoder() {}

    public static Path write(Path dir, int maxLength) throws IOException {
        OnnxGraph g = TinyNli.overlapGraph("tiny-cross-encoder");
        String scaled = g.op("Mul", "overlap", g.scalar("two", 2f));
        g.op("Sub", List.of(scaled, g.scalar("bias", 1f)), List.of("logits"), Map.of());
        g.output("logits", OnnxGraph.FLOAT, "batch", 1);
        return HfEncoderDirectory.write(dir, g, List.of("LABEL_0"), null, maxLength);
    }
}
