package io.pgmlsidecar.ml.store;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** One model file: a file on disk, or a resource on the class path (e.g. inside a jar). */
public final class ModelArtifact {
    private final Path path;
    private final ClassLoader loader;
    private final String resource;
    private final long size;

    private ModelArtifact(Path path, ClassLoader loader, String resource, long size) {
        this.path = path;
        this.loader = loader;
        this.resource = resource;
        this.size = size;
    }

    public static ModelArtifact file(Path path) {
        try {
            return new ModelArtifact(path.toAbsolutePath(), null, null, Files.size(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A class path resource; empty when the class loader does not have it. */
    public static Optional<ModelArtifact> resource(ClassLoader loader, String name) {
        URL url = loader.getResource(name);
        if (url == null) return Optional.empty();
        if ("file".equals(url.getProtocol())) {
            try {
                return Optional.of(file(Path.of(url.toURI())));
            } catch (URISyntaxException | RuntimeException e) {
                // fall through to stream access
            }
        }
        long size = -1;
        try {
            URLConnection c = url.openConnection();
            c.setUseCaches(false);
            size = c.getContentLengthLong();
            c.getInputStream().close();
        } catch (IOException e) {
            // size stays unknown
        }
        return Optional.of(new ModelArtifact(null, loader, name, size));
    }

    /** The file on disk, when there is one (ONNX Runtime can then memory-map it and find external data). */
    public Optional<Path> localPath() {
        return Optional.ofNullable(path);
    }

    /** Size in bytes, or -1 when unknown. */
    public long size() {
        return size;
    }

    public InputStream open() throws IOException {
        if (path != null) return Files.newInputStream(path);
        InputStream in = loader.getResourceAsStream(resource);
        if (in == null) throw new FileNotFoundException("class path resource " + resource);
        return in;
    }

    public byte[] readAllBytes() throws IOException {
        try (InputStream in = open()) {
            return in.readAllBytes();
        }
    }

    public String describe() {
        return path != null ? path.toString() : "classpath:" + resource;
    }

    @Override
    public String toString() {
        return describe();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelArtifact a && Objects.equals(path, a.path) && Objects.equals(resource, a.resource);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, resource);
    }
}
