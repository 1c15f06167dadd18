package io.pgmlsidecar.ml.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Hook for models kept in a database (PostgresML keeps trained and tuned models in {@code pgml.files}).
 * Another module implements it; {@link StoredModelResolver} calls it.
 */
public interface ModelFileStore {
    /** Short description for error messages, e.g. {@code "pgml.files in database app"}. */
    String describe();

    /**
     * Writes the files of {@code modelName} into the empty directory {@code targetDir} in Hugging Face
     * layout ({@code config.json}, {@code tokenizer.json}, {@code model.onnx} ...).
     *
     * @return false when the store does not know the model (nothing written)
     */
    boolean materialize(String modelName, Path targetDir) throws IOException;
}
