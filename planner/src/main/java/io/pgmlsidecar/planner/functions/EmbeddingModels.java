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

    /** Unloads every loaded model, releasing its (GPU or CPU) memory; returns how many were loaded. */
    default int releaseAll() {
        return 0;
    }
}
