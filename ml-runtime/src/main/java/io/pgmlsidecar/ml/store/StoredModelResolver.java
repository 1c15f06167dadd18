package io.pgmlsidecar.ml.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Models from a {@link ModelFileStore} (the database). Files are written to
 * {@code <workDir>/stored/<org>/<name>/}, replaced on every load, then read as a Hugging Face directory.
 */
public final class StoredModelResolver implements ModelResolver {
    private final ModelFileStore store;
    private final Path root;

    /** @param store null = no store configured */
    public StoredModelResolver(ModelFileStore store, Path workDir) {
        this.store = store;
        this.root = workDir.resolve("stored");
    }

    @Override
    public String describe() {
        return store == null ? "models stored in the database (no store configured)" : store.describe();
    }

    @Override
    public Optional<ModelSource> resolve(String modelName, Lookup lookup) throws IOException {
        Optional<Path> dir = directory(modelName, lookup);
        if (dir.isEmpty()) return Optional.empty();
        return Optional.of(HfModelDirectory.open(modelName, dir.get(), store.describe() + " (copied to " + dir.get() + ")"));
    }

    /** Copies the stored files to {@code <work-dir>/stored/<name>/} and returns that directory. */
    @Override
    public Optional<Path> directory(String modelName, Lookup lookup) throws IOException {
        if (store == null) {
            lookup.missed("models stored in the database", "no store configured");
            return Optional.empty();
        }
        Path target = root.resolve(modelName);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "-" + UUID.randomUUID());
        Files.createDirectories(tmp);
        boolean found;
        try {
            found = store.materialize(modelName, tmp);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
        if (!found) {
            deleteTree(tmp);
            lookup.missed(store.describe(), "no model '" + modelName + "'");
            return Optional.empty();
        }
        deleteTree(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        return Optional.of(target);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
