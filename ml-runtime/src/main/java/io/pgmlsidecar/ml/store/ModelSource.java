package io.pgmlsidecar.ml.store;

import java.util.Objects;

/**
 * A resolved model: where its files are and how to run it.
 *
 * @param name      the name the caller asked for
 * @param origin    where it was found, for logs and {@code loadedModels()} (e.g. "HF cache /root/.cache/...")
 * @param onnx      the ONNX graph
 * @param tokenizer the Hugging Face {@code tokenizer.json}
 * @param profile   pooling, normalization, max length, prompts
 */
public record ModelSource(String name, String origin, ModelArtifact onnx, ModelArtifact tokenizer, ModelProfile profile) {
    public ModelSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(onnx, "onnx");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(profile, "profile");
    }
}
