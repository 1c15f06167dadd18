package io.pgmlsidecar.planner.functions;

import java.util.List;
import java.util.Map;

/**
 * What the planner needs of the model runtime for {@code pgml.embed}. Implementations throw
 * {@link io.pgmlsidecar.proxy.intercept.PgException} with a fitting SQLSTATE for unknown models
 * and failures.
 */
public interface EmbeddingModels {

    /** One vector per text, in order; a null text gives a null vector. */
    float[][] embed(String model, List<String> texts, Map<String, Object> kwargs);

    /**
     * The files and settings another engine needs to embed with {@code model} exactly as {@link #embed} does (the
     * kwargs parsed as it parses them); empty when this runtime cannot hand them over (no local model of that name).
     */
    default java.util.Optional<io.pgmlsidecar.planner.bulk.EmbeddingModelFiles> files(String model, Map<String, Object> kwargs) {
        return java.util.Optional.empty();
    }

    /** Unloads every loaded model, releasing its (GPU or CPU) memory; returns how many were loaded. */
    default int releaseAll() {
        return 0;
    }
}
