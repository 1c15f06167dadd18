package io.pgmlsidecar.ml.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.ModelNotFoundException;
import io.pgmlsidecar.ml.TinyModel;
import io.pgmlsidecar.ml.pipelines.Pooling;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub download path against a local stand-in for huggingface.co that serves
 * {@code /<org>/<name>/resolve/<revision>/<file>} from a directory, with {@code X-Repo-Commit}.
 */
class HubDownloadResolverTest {
    static final String COMMIT = "9f1c2e0d5b7a";

    @TempDir
    Path tmp;
    HttpServer server;
    Path served;
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> authHeaders = new CopyOnWriteArrayList<>();
    final TinyModel tiny = new TinyModel(11);

    @BeforeEach
    void start() throws Exception {
        served = tmp.resolve("served");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            requests.add(path);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null) authHeaders.add(auth);
            // /<org>/<name>/resolve/<rev>/<file...>
            String[] parts = path.substring(1).split("/", 5);
            Path file = parts.length == 5 && parts[2].equals("resolve")
                    ? served.resolve(parts[0]).resolve(parts[1]).resolve(parts[4]) : null;
            if (parts.length == 5 && parts[0].equals("private")) {
                ex.sendResponseHeaders(401, -1);
            } else if (parts.length == 5 && parts[0].equals("redirecting")) {
                // a hub (or its CDN) turned hostile: to the cloud metadata service
                ex.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/iam/" + parts[4]);
                ex.sendResponseHeaders(302, -1);
            } else if (file == null || !Files.isRegularFile(file)) {
                byte[] body = "Entry not found".getBytes();
                ex.sendResponseHeaders(404, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            } else {
                ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                byte[] body = Files.readAllBytes(file);
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    MlConfig.Builder config(boolean download) {
        return MlConfig.builder(Map.of()).hfHome(tmp.resolve("hf")).workDir(tmp.resolve("work"))
                .hubDownload(download).hubUrl(baseUrl()).hubToken("hf_test_token").intraOpThreads(1);
    }

    @Test
    void downloadsIntoTheHfCacheLayoutAndIsFoundOfflineAfterwards() throws Exception {
        tiny.writeHfLayout(served.resolve("acme/remote"), true, "cls", true, 64);
        float[] expected = tiny.expected(TinyModel.ids("hello", "world"), "cls", true);
        try (EmbeddingService svc = new EmbeddingService(config(true).build())) {
            assertArrayEquals(expected, svc.embed("acme/remote", "hello world", Map.of()), 1e-5f);
            ModelSource src = svc.resolve("acme/remote"); // now from the cache: no new requests
            assertTrue(src.origin().startsWith("Hugging Face cache"), src.origin());
        }
        Path repo = tmp.resolve("hf/hub/models--acme--remote");
        assertEquals(COMMIT, Files.readString(repo.resolve("refs/main")));
        Path snap = repo.resolve("snapshots").resolve(COMMIT);
        for (String f : List.of("config.json", "tokenizer.json", "onnx/model.onnx", "modules.json",
                "1_Pooling/config.json", "sentence_bert_config.json", "tokenizer_config.json")) {
            assertTrue(Files.isRegularFile(snap.resolve(f)), f);
        }
        try (var s = Files.list(repo.resolve("snapshots"))) {
            assertEquals(1, s.count(), "no temporary download folder left behind");
        }
        // the first request finds the commit; the other files are fetched at that commit
        assertEquals("/acme/remote/resolve/main/config.json", requests.get(0));
        assertTrue(requests.contains("/acme/remote/resolve/" + COMMIT + "/onnx/model.onnx"), requests.toString());
        assertTrue(authHeaders.stream().allMatch(a -> a.equals("Bearer hf_test_token")) && !authHeaders.isEmpty());

        // a second runtime with downloads disabled finds it in the cache
        requests.clear();
        try (EmbeddingService offline = new EmbeddingService(config(false).build())) {
            assertArrayEquals(expected, offline.embed("acme/remote", "hello world", Map.of()), 1e-5f);
            assertEquals(List.of(Pooling.CLS), offline.resolve("acme/remote").profile().pooling());
        }
        assertTrue(requests.isEmpty(), requests.toString());
    }

    @Test
    void rootOnnxIsUsedWhenThereIsNoOnnxFolder() throws Exception {
        tiny.writeHfLayout(served.resolve("acme/flat"), false, "mean", false, 64);
        ModelSource src = new HubDownloadResolver(java.net.URI.create(baseUrl()), tmp.resolve("hub"), null, true,
                java.time.Duration.ofSeconds(5)).resolve("acme/flat", new Lookup()).orElseThrow();
        assertTrue(src.onnx().describe().endsWith(COMMIT + "/model.onnx"), src.onnx().describe());
    }

    @Test
    void missingRepositoryIsNotFound() {
        try (EmbeddingService svc = new EmbeddingService(config(true).build())) {
            ModelNotFoundException e = assertThrows(ModelNotFoundException.class, () -> svc.embed("acme/absent", "x", null));
            assertTrue(e.getMessage().contains("HTTP 404: no such repository"), e.getMessage());
            ModelNotFoundException p = assertThrows(ModelNotFoundException.class, () -> svc.resolve("private/model"));
            assertTrue(p.getMessage().contains("HTTP 401") && p.getMessage().contains("HF_TOKEN"), p.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("hf/hub/models--acme--absent/refs")));
    }

    @Test
    void repositoryWithoutOnnxSaysHowToExport() throws Exception {
        Path repo = served.resolve("acme/pytorch");
        Files.createDirectories(repo);
        Files.writeString(repo.resolve("config.json"), "{}");
        Files.writeString(repo.resolve("tokenizer.json"), TinyModel.tokenizerJson());
        try (EmbeddingService svc = new EmbeddingService(config(true).build())) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> svc.resolve("acme/pytorch"));
            assertTrue(e.getMessage().contains("no ONNX graph"), e.getMessage());
            assertTrue(e.getMessage().contains("optimum-cli export onnx --model acme/pytorch"), e.getMessage());
        }
    }

    @Test
    void unreachableHubIsReportedNotThrown() throws Exception {
        server.stop(0);
        try (EmbeddingService svc = new EmbeddingService(config(true).build())) {
            ModelNotFoundException e = assertThrows(ModelNotFoundException.class, () -> svc.resolve("acme/remote"));
            assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        }
    }

    /**
     * A download on a role's behalf (pgml.embed naming a model nowhere else) that the hub redirects to the cloud
     * metadata service is refused as such (not reported as a missing model), and nothing lands in the cache.
     */
    @Test
    void aCallTimeDownloadRedirectedToTheMetadataServiceIsRefused() throws Exception {
        tiny.writeHfLayout(served.resolve("redirecting/model"), true, "cls", true, 64);
        try (EmbeddingService svc = new EmbeddingService(config(true).build())) {
            io.pgmlsidecar.ml.store.ModelDownloadRefusedException e = assertThrows(
                    io.pgmlsidecar.ml.store.ModelDownloadRefusedException.class, () -> svc.embed("redirecting/model", "x", null));
            assertTrue(e.getMessage().startsWith("downloading model 'redirecting/model' was refused: ")
                    && e.getMessage().contains("redirected to http://169.254.169.254, a non-public address (169.254.169.254)"),
                    e.getMessage());
            assertTrue(e.hint().contains("--remote-allow"), e.hint());
        }
        assertFalse(Files.exists(tmp.resolve("hf/hub/models--redirecting--model/snapshots")), "nothing cached");
    }
}
