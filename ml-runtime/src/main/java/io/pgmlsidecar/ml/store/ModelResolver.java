package io.pgmlsidecar.ml.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One place where models can be found. {@link ModelLocator} asks its resolvers in order; the first
 * hit wins. A resolver that does not have the model adds a line to the {@link Lookup} saying where it
 * looked, so that the final "not found" error can list every place.
 */
public interface ModelResolver {
    /** Short description of the place, e.g. {@code "local models directory /srv/models"}. */
    String describe();

    /**
     * Looks for {@code modelName} (a Hugging Face id such as {@code intfloat/e5-small-v2}, already
     * validated: no {@code ..}, at most one {@code /}).
     *
     * @return the model, or empty (after {@link Lookup#missed}) when this place does not have it
     * @throws io.pgmlsidecar.ml.ModelFormatException the place has the model but it cannot run here
     *         (e.g. no ONNX graph); the locator records it and goes on with the next place
     */
    Optional<ModelSource> resolve(String modelName, Lookup lookup) throws IOException;

    /**
     * The model's whole directory in Hugging Face layout, for models made of several files (a decoder
     * and its configs, an encoder-decoder pair). Places that only hold single-graph embedding models
     * say so in the lookup and return empty.
     */
    default Optional<Path> directory(String modelName, Lookup lookup) throws IOException {
        lookup.missed(describe(), "holds only embedding models");
        return Optional.empty();
    }
}
