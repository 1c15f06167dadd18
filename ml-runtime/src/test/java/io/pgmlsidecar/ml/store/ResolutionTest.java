package io.pgmlsidecar.ml.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.ModelNotFoundException;
import io.pgmlsidecar.ml.TinyModel;
import io.pgmlsidecar.ml.pipelines.Pooling;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where models are found, in which order, and what the errors say. */
class ResolutionTest {
    @TempDir
    Path tmp;
    final TinyModel tiny = new TinyModel(7);

    MlConfig.Builder config() {
        return MlConfig.builder(Map.of()).hfHome(tmp.resolve("hf")).workDir(tmp.resolve("work")).hubDownload(false)
                .intraOpThreads(1);
    }

    /** Writes an HF hub cache entry like huggingface_hub does (refs/main + snapshots/<commit>). */
    static Path hfCacheSnapshot(Path hub, String name, String commit) throws IOException {
        Path repo = hub.resolve("models--" + name.replace("/", "--"));
        Path snap = repo.resolve("snapshots").resolve(commit);
        Files.createDirectories(snap);
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), commit);
        return snap;
    }

    @Test
    void hfCacheLayoutIsFound() throws Exception {
        Path hub = tmp.resolve("hf/hub");
        Path snap = hfCacheSnapshot(hub, "acme/tiny", "0123abcd");
        tiny.writeHfLayout(snap, true, "cls", true, 64);
        try (EmbeddingService svc = new EmbeddingService(config().build())) {
            ModelSource src = svc.resolve("acme/tiny");
            assertTrue(src.origin().startsWith("Hugging Face cache"), src.origin());
            assertEquals(List.of(Pooling.CLS), src.profile().pooling());
            assertEquals(64, src.profile().maxLength());
            float[] v = svc.embed("acme/tiny", "the dog", Map.of());
            assertArrayEquals(tiny.expected(TinyModel.ids("the", "dog"), "cls", true), v);
        }
    }

    @Test
    void hfCacheSkipsSnapshotsWithoutOnnxAndPrefersRefsMain() throws Exception {
        Path hub = tmp.resolve("hf/hub");
        Path good = hfCacheSnapshot(hub, "acme/two", "good");
        tiny.writeHfLayout(good, false, "mean", false, 32);
        Path newer = good.resolveSibling("newer-pytorch-only");
        Files.createDirectories(newer);
        Files.writeString(newer.resolve("config.json"), "{}");
        Files.setLastModifiedTime(newer, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        Files.writeString(good.getParent().getParent().resolve("refs/main"), "newer-pytorch-only");
        ModelSource src = new HfCacheResolver(hub).resolve("acme/two", new Lookup()).orElseThrow();
        assertTrue(src.onnx().describe().contains("/good/"), src.onnx().describe());
    }

    @Test
    void localDirectoryWinsOverHfCache() throws Exception {
        Path models = tmp.resolve("models");
        tiny.writeHfLayout(models.resolve("acme/both"), false, "mean", true, 128);
        tiny.writeHfLayout(hfCacheSnapshot(tmp.resolve("hf/hub"), "acme/both", "c1"), false, "cls", true, 128);
        ModelSource src = ModelLocator.standard(config().modelsDir(models).build()).locate("acme/both");
        assertTrue(src.origin().startsWith("local models directory"), src.origin());
        assertEquals(List.of(Pooling.MEAN), src.profile().pooling());
    }

    @Test
    void unknownModelListsEveryPlaceAndHowToPlaceIt() {
        Path models = tmp.resolve("models");
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> ModelLocator.standard(config().modelsDir(models).build()).locate("nobody/no-such-model"));
        String m = e.getMessage();
        assertEquals(5, e.lookedAt().size(), m);
        assertTrue(m.contains(models.resolve("nobody/no-such-model").toString()), m);
        assertTrue(m.contains("models--nobody--no-such-model"), m);
        assertTrue(m.contains("bundled models on the class path"), m);
        assertTrue(m.contains("stored in the database"), m);
        assertTrue(m.contains("Hugging Face hub") && m.contains("download disabled"), m);
        assertTrue(m.contains("optimum-cli export onnx --model nobody/no-such-model"), m);
        assertTrue(m.contains("tokenizer.json") && m.contains("onnx/model.onnx"), m);
    }

    @Test
    void directoryWithoutOnnxSaysHowToExport() throws Exception {
        Path dir = tmp.resolve("models/acme/pytorch-only");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve("tokenizer.json"), TinyModel.tokenizerJson());
        Files.write(dir.resolve("model.safetensors"), new byte[16]);
        try (EmbeddingService svc = new EmbeddingService(config().modelsDir(tmp.resolve("models")).build())) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> svc.embed("acme/pytorch-only", "x", null));
            assertTrue(e.getMessage().contains("no ONNX graph"), e.getMessage());
            assertTrue(e.getMessage().contains("optimum-cli export onnx --model acme/pytorch-only"), e.getMessage());
        }
    }

    @Test
    void directoryWithoutTokenizerIsAFormatError() throws Exception {
        Path dir = tmp.resolve("models/acme/no-tok");
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), tiny.onnx());
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelLocator.standard(config().modelsDir(tmp.resolve("models")).build()).locate("acme/no-tok"));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }

    @Test
    void invalidNamesAreRejected() {
        ModelLocator locator = ModelLocator.standard(config().modelsDir(tmp).build());
        for (String bad : List.of("../etc", "a/../../b", "/abs", "a/b/c", "", " ", "a\\b", "a/..")) {
            assertThrows(MlException.class, () -> locator.locate(bad), bad);
        }
        assertThrows(MlException.class, () -> locator.locate(null));
    }

    @Test
    void storedModelHookIsUsed() throws Exception {
        List<String> asked = new ArrayList<>();
        ModelFileStore store = new ModelFileStore() {
            @Override
            public String describe() {
                return "test store";
            }

            @Override
            public boolean materialize(String modelName, Path targetDir) throws IOException {
                asked.add(modelName);
                if (!modelName.equals("acme/stored")) return false;
                tiny.writeHfLayout(targetDir, false, "mean", true, 32);
                return true;
            }
        };
        try (EmbeddingService svc = new EmbeddingService(config().modelFileStore(store).build())) {
            float[] v = svc.embed("acme/stored", "the cat", Map.of());
            assertArrayEquals(tiny.expected(TinyModel.ids("the", "cat"), "mean", true), v);
            assertTrue(svc.resolve("acme/stored").origin().contains("test store"));
            ModelNotFoundException e = assertThrows(ModelNotFoundException.class, () -> svc.resolve("acme/other"));
            assertTrue(e.getMessage().contains("test store (no model 'acme/other')"), e.getMessage());
        }
        assertTrue(asked.contains("acme/other"));
    }

    @Test
    void bundledIndexOnTheClassPath() throws Exception {
        Path cp = tmp.resolve("cp");
        Files.createDirectories(cp.resolve("META-INF/pgml-sidecar"));
        Files.write(cp.resolve("tiny-model.onnx"), tiny.onnx());
        Files.writeString(cp.resolve("tiny-tokenizer.json"), TinyModel.tokenizerJson());
        Files.writeString(cp.resolve(BundledModelResolver.INDEX), """
                {"models": [
                  {"name": "acme/bundled", "aliases": ["Bundled-Alias"], "onnx": "tiny-model.onnx",
                   "tokenizer": "tiny-tokenizer.json", "pooling": "cls", "normalize": false, "max_length": 8,
                   "dimensions": 8, "prompts": {"query": "query: "}},
                  {"name": "acme/missing-files", "onnx": "nope.onnx", "tokenizer": "nope.json", "pooling": "mean"}
                ]}""");
        try (URLClassLoader cl = new URLClassLoader(new URL[] {cp.toUri().toURL()}, null)) {
            BundledModelResolver bundled = new BundledModelResolver(cl);
            assertEquals(2, bundled.entries().size());
            ModelLocator locator = new ModelLocator(List.of(new LocalDirectoryResolver(null), bundled), null);
            ModelSource src = locator.locate("bundled-alias");
            assertEquals(8, src.profile().maxLength());
            assertEquals(Map.of("query", "query: "), src.profile().prompts());
            try (EmbeddingService svc = new EmbeddingService(config().build(), locator)) {
                assertArrayEquals(tiny.expected(TinyModel.ids("query", ":", "cat"), "cls", false),
                        svc.embed("acme/bundled", "cat", Map.of("prompt_name", "query")));
                assertThrows(MlException.class, () -> svc.embed("acme/bundled", "cat", Map.of("prompt_name", "nope")));
            }
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> locator.locate("acme/missing-files"));
            assertTrue(e.getMessage().contains("nope.onnx"), e.getMessage());
            ModelNotFoundException nf = assertThrows(ModelNotFoundException.class, () -> locator.locate("acme/x"));
            assertTrue(nf.getMessage().contains("bundled: acme/bundled, acme/missing-files"), nf.getMessage());
        }
        // without any index the message says the ml-models module is left out
        ModelNotFoundException nf = assertThrows(ModelNotFoundException.class, () -> new ModelLocator(
                List.of(new BundledModelResolver(new URLClassLoader(new URL[0], null))), null).locate("acme/x"));
        assertTrue(nf.getMessage().contains("ml-models module is left out"), nf.getMessage());
    }

    @Test
    void profileDefaultsWithoutSentenceTransformersFiles() throws Exception {
        Path dir = tmp.resolve("plain");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"xlm-roberta\",\"max_position_embeddings\":514}");
        ModelProfile p = HfModelDirectory.readProfile(dir);
        assertEquals(List.of(Pooling.MEAN), p.pooling());
        assertFalse(p.normalize());
        assertEquals(512, p.maxLength());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\":1000000000000000019884624838656}");
        assertEquals(512, HfModelDirectory.readProfile(dir).maxLength());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\":128}");
        assertEquals(128, HfModelDirectory.readProfile(dir).maxLength());
    }

    static void assertArrayEquals(float[] expected, float[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, 1e-5f);
    }
}
