package io.pgmlsidecar.ml.store.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.ml.ModelNotFoundException;
import io.pgmlsidecar.ml.store.HfCacheResolver;
import io.pgmlsidecar.ml.store.HubDownloadResolver;
import io.pgmlsidecar.ml.store.LocalDirectoryResolver;
import io.pgmlsidecar.ml.store.ModelLocator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelLocator#locateDirectory} online: the hub resolver fetches the repository into the HF cache layout. */
class HubDirectoryDownloadTest {
    @TempDir
    Path tmp;
    FakeHub hub;
    final byte[] decoder = RepositoryDownloaderTest.random(9, 50_000);

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub().repo("acme/gen", Map.of(
                "config.json", "{\"model_type\":\"gpt2\"}".getBytes(StandardCharsets.UTF_8),
                "generation_config.json", "{}".getBytes(StandardCharsets.UTF_8),
                "tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8),
                "onnx/decoder_model_merged.onnx", decoder,
                "model.safetensors", new byte[1000]));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    ModelLocator locator(boolean download) {
        Path cache = tmp.resolve("hub");
        return new ModelLocator(List.of(new LocalDirectoryResolver(null), new HfCacheResolver(cache),
                new HubDownloadResolver(URI.create(hub.url()), cache, null, download, Duration.ofSeconds(5),
                        io.pgmlsidecar.ml.remote.EndpointAddressPolicy.allowing("127.0.0.1"))), null); // the stand-in CDN
    }

    @Test
    void aMissingModelDirectoryIsFetchedIntoTheCacheAndFoundOfflineAfterwards() throws Exception {
        ModelLocator.Located found = locator(true).locateDirectory("acme/gen");
        Path snap = tmp.resolve("hub/models--acme--gen/snapshots").resolve(FakeHub.COMMIT);
        assertEquals(snap, found.dir());
        assertArrayEquals(decoder, Files.readAllBytes(snap.resolve("onnx/decoder_model_merged.onnx")));
        assertTrue(Files.isRegularFile(snap.resolve("generation_config.json")));
        assertFalse(Files.exists(snap.resolve("model.safetensors")));
        assertEquals(FakeHub.COMMIT, Files.readString(tmp.resolve("hub/models--acme--gen/refs/main")));
        try (Stream<Path> s = Files.list(snap.getParent())) {
            assertEquals(List.of(snap), s.toList(), "no partial folder left");
        }

        hub.requests.clear();
        ModelLocator.Located offline = locator(false).locateDirectory("acme/gen");
        assertEquals(snap, offline.dir());
        assertTrue(offline.origin().startsWith("Hugging Face cache"), offline.origin());
        assertEquals(List.of(), hub.requests);
    }

    @Test
    void hubErrorsAreListedInTheNotFoundMessage() {
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, () -> locator(true).locateDirectory("acme/none"));
        assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("acme/none"), e.getMessage());
        assertTrue(e.getMessage().contains("pgml-sidecar.jar download acme/none"), e.getMessage());
        ModelNotFoundException off = assertThrows(ModelNotFoundException.class, () -> locator(false).locateDirectory("acme/gen"));
        assertTrue(off.getMessage().contains("download disabled"), off.getMessage());
    }
}
