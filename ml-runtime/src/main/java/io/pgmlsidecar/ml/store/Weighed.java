package io.pgmlsidecar.ml.store;

/** A loaded model's memory and device as the model caches report them (SHOW MODELS, pgml_model_memory_bytes). */
public interface Weighed {

    /** Approximate memory held (bytes). */
    long weightBytes();

    /** Where the model runs ({@code cpu}, {@code cuda:0}), or null when it does not say. */
    default String device() {
        return null;
    }

    /** Model calls (batches) it served since it was loaded, where the model counts them itself; null otherwise. */
    default Long servedCalls() {
        return null;
    }
}
