package io.pgmlsidecar.ml.store;

import io.pgmlsidecar.ml.ModelFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Hugging Face hub cache, as {@code huggingface_hub} writes it:
 * {@code <hub>/models--<org>--<name>/snapshots/<revision>/}, with {@code refs/main} naming the
 * revision. The snapshot of {@code refs/main} is preferred, then the most recently modified one;
 * snapshots without an ONNX graph (e.g. PyTorch-only downloads) are skipped.
 */
public final class HfCacheResolver implements ModelResolver {
    private final Path hub;

    public HfCacheResolver(Path hubCacheDir) {
        this.hub = hubCacheDir;
    }

    /** {@code models--org--name}. */
    public static String repoFolder(String modelName) {
        return "models--" + modelName.replace("/", "--");
    }

    @Override
    public String describe() {
        return "Hugging Face cache " + hub;
    }

    @Override
    public Optional<ModelSource> resolve(String modelName, Lookup lookup) throws IOException {
        List<Path> candidates = snapshots(modelName, lookup);
        if (candidates.isEmpty()) return Optional.empty();
        for (Path snap : candidates) {
            if (HfModelDirectory.findOnnx(snap) != null) {
                return Optional.of(HfModelDirectory.open(modelName, snap, "Hugging Face cache " + snap));
            }
        }
        throw new ModelFormatException("the Hugging Face cache has '" + modelName + "' (" + candidates.get(0)
                + ") but without an ONNX graph (looked for " + String.join(", ", HfModelDirectory.ONNX_CANDIDATES)
                + "). " + ModelFormatException.exportHint(modelName, "<models-dir>/" + modelName));
    }

    /** The snapshot that refs/main names, else the newest one. */
    @Override
    public Optional<Path> directory(String modelName, Lookup lookup) throws IOException {
        return snapshots(modelName, lookup).stream().findFirst();
    }

    /** Snapshots of the model, the one refs/main names first, then newest first; empty after a lookup line. */
    private List<Path> snapshots(String modelName, Lookup lookup) throws IOException {
        Path repo = hub.resolve(repoFolder(modelName));
        Path snapshots = repo.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            lookup.missed("Hugging Face cache: " + repo, "no such directory");
            return List.of();
        }
        List<Path> candidates = new ArrayList<>();
        Path ref = repo.resolve("refs").resolve("main");
        if (Files.isRegularFile(ref)) {
            String rev = Files.readString(ref, StandardCharsets.UTF_8).trim();
            Path p = snapshots.resolve(rev);
            if (!rev.isEmpty() && !rev.contains("/") && Files.isDirectory(p)) candidates.add(p);
        }
        try (Stream<Path> s = Files.list(snapshots)) {
            s.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(HfCacheResolver::mtime).reversed())
                    .filter(p -> !candidates.contains(p))
                    .forEach(candidates::add);
        }
        if (candidates.isEmpty()) {
            lookup.missed("Hugging Face cache: " + snapshots, "no snapshot");
        }
        return candidates;
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
