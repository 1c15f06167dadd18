package io.pgmlsidecar.ml.pipelines;

import io.pgmlsidecar.ml.onnx.OnnxEncoder;
import io.pgmlsidecar.ml.tokenize.TokenSpans;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Encoded inputs through an encoder with task heads in length-sorted batches, as the sidecar's pipelines and the
 * Spark executors both run them (one code path, the same batches for the same inputs, so the same numbers).
 */
public final class EncoderBatches {
    private EncoderBatches() {}

    /** Runs {@code inputs} in batches of {@code batchSize}, shortest first; the rows come back in input order. */
    public static List<EncoderRow> run(OnnxEncoder encoder, long padId, List<TokenSpans> inputs, int batchSize) {
        EncoderRow[] rows = new EncoderRow[inputs.size()];
        for (int[] batch : LengthBatches.plan(inputs.stream().mapToInt(TokenSpans::length).toArray(), batchSize)) {
            List<long[]> ids = new ArrayList<>(batch.length);
            List<long[]> types = new ArrayList<>(batch.length);
            for (int i : batch) {
                ids.add(inputs.get(i).ids());
                types.add(inputs.get(i).typeIds());
            }
            Map<String, OnnxEncoder.Tensor> out = encoder.runOutputs(ids, types, padId);
            for (int j = 0; j < batch.length; j++) rows[batch[j]] = new EncoderRow(out, j, ids.get(j).length);
        }
        return Arrays.asList(rows);
    }
}
