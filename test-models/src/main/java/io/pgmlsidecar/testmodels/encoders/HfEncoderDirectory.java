package io.pgmlsidecar.testmodels.encoders;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a BERT-like model directory: config.json (labels, limits), the tiny tokenizer, model.onnx. */
public final class HfEncoderDirectory {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfEncoderDirectory() {}

    /**
     * @param labels      id2label in index order (empty for heads without labels)
     * @param problemType config problem_type, or null
     * @param maxLength   max_position_embeddings and tokenizer model_max_length
     */
    public static Path write(Path dir, OnnxGraph graph, List<String> labels, String problemType, int maxLength)
            throws IOException {
        Files.createDirectories(dir);
        ObjectNode config = JSON.createObjectNode();
        config.put("model_type", "bert");
        config.put("vocab_size", TinyVocab.size());
        config.put("max_position_embeddings", maxLength);
        if (!labels.isEmpty()) {
            ObjectNode id2label = config.putObject("id2label");
            ObjectNode label2id = config.putObject("label2id");
            for (int i = 0; i < labels.size(); i++) {
                id2label.put(Integer.toString(i), labels.get(i));
                label2id.put(labels.get(i), i);
            }
        }
        if (problemType != null) config.put("problem_type", problemType);
        Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        TinyVocab.TOKENIZER.write(dir, maxLength);
        graph.write(dir.resolve("model.onnx"));
        return dir;
    }

    /** {@code attention_mask} as float {@code [batch, seq, 1]}, for masking per-token values. */
    static String floatMask3d(OnnxGraph g, String input) {
        String f = g.op("Cast", java.util.Map.of("to", (long) OnnxGraph.FLOAT), input);
        return g.op("Unsqueeze", f, g.longs(input + "_axes2", 2));
    }

    /** A {@code [vocab, k]} table with every row set to {@code dflt}. */
    static float[][] table(int k, float[] dflt) {
        float[][] t = new float[TinyVocab.size()][k];
        for (float[] row : t) System.arraycopy(dflt, 0, row, 0, k);
        return t;
    }
}
