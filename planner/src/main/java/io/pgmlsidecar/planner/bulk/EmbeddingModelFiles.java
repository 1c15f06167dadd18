package io.pgmlsidecar.planner.bulk;

import io.pgmlsidecar.ml.store.ModelArtifact;
import java.util.List;

/**
 * What another engine needs to embed exactly as the sidecar does: the model's files (the sidecar resolved them), how
 * the model runs (its profile) and the caller's kwargs, already parsed.
 *
 * @param preferPooledOutput the model has modules after pooling: the graph's {@code sentence_embedding} is used
 * @param prompt             text put before every input, or null
 * @param truncateDim        keep this many dimensions, or null
 * @param normalizeAfter     kwarg normalize_embeddings
 * @param batchSize          texts per inference call (1 for dynamically quantized graphs, as in the sidecar)
 */
public record EmbeddingModelFiles(String name, ModelArtifact onnx, ModelArtifact tokenizer, int maxLength, String padToken,
                                  List<String> pooling, boolean normalize, boolean preferPooledOutput, String prompt,
                                  Integer truncateDim, boolean normalizeAfter, int batchSize) {}
