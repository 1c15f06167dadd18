package io.pgmlsidecar.ml;

import io.pgmlsidecar.ml.pipelines.Pooling;
import java.util.List;

/**
 * A loaded model and its counters.
 *
 * @param name           the name it was asked by
 * @param origin         where it was found (directory, HF cache snapshot, bundled artifact ...)
 * @param device         {@code cpu} or {@code cuda:N}, the device actually used
 * @param dimensions     output dimensions
 * @param maxLength      max tokens per input (longer inputs are truncated)
 * @param pooling        pooling modes
 * @param normalize      whether the model normalizes its output by default
 * @param batchSize      default texts per inference call; 1 for dynamically quantized graphs, whose
 *                       int8 scales span the whole batch (batching would make results batch-dependent)
 * @param weightBytes    cache weight (model file sizes)
 * @param loadMillis     load time
 * @param inferenceCalls ONNX Runtime calls so far (each runs one merged batch)
 * @param texts          texts embedded so far
 * @param tokens         tokens run so far (after truncation, before padding)
 * @param truncated      texts that were cut at {@code maxLength}
 */
public record ModelInfo(
        String name,
        String origin,
        String device,
        int dimensions,
        int maxLength,
        List<Pooling> pooling,
        boolean normalize,
        int batchSize,
        long weightBytes,
        long loadMillis,
        long inferenceCalls,
        long texts,
        long tokens,
        long truncated) {}
