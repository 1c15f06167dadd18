package io.pgmlsidecar.ml.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Models in a configured directory, Hugging Face layout: {@code <dir>/<org>/<name>/}. */
public final class LocalDirectoryResolver implements ModelResolver {
    private final Path root;

    /** @param root the models directory; null = not configured (the resolver then only says so) */
    public LocalDirectoryResolver(Path root) {
        this.root = root;
    }

    @Override
    public String describe() {
        return root == null ? "local models directory (not configured)" : "local models directory " + root;
    }

    @Override
    public Optional<ModelSource> resolve(String modelName, Lookup lookup) throws IOException {
        if (root == null) {
            lookup.missed("local models directory", "not configured; set models-dir");
            return Optional.empty();
        }
        Path dir = root.resolve(modelName);
        if (!Files.isDirectory(dir)) {
            lookup.missed("local models directory: " + dir, "no such directory");
            return Optional.empty();
        }
        return Optional.of(HfModelDirectory.open(modelName, dir, "local models directory " + dir));
    }

    @Override
    public Optional<Path> directory(String modelName, Lookup lookup) {
        if (root == null) {
            lookup.missed("local models directory", "not configured; set models-dir");
            return Optional.empty();
        }
        Path dir = root.resolve(modelName);
        if (!Files.isDirectory(dir)) {
            lookup.missed("local models directory: " + dir, "no such directory");
            return Optional.empty();
        }
        return Optional.of(dir);
    }
}
