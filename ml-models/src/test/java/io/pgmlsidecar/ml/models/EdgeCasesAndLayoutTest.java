package io.pgmlsidecar.ml.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.ModelInfo;
import io.pgmlsidecar.ml.ModelNotFoundException;
import io.pgmlsidecar.ml.pipelines.Pooling;
import io.pgmlsidecar.ml.pipelines.Vectors;
import io.pgmlsidecar.ml.store.ModelSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Edge cases on a real model, aliases, and the same model found in HF layout directories. */
class EdgeCasesAndLayoutTest {
    static final String MINILM = "sentence-transformers/all-MiniLM-L6-v2";

    @TempDir
    static Path tmp;
    static EmbeddingService svc;

    @BeforeAll
    static void start() {
        svc = BundledModels.service(tmp);
    }

    @AfterAll
    static void stop() {
        svc.close();
    }

    @Test
    void tenThousandCharactersAreTruncatedToTheMaxLength() {
        String text = "hello world ".repeat(834).substring(0, 10_000);
        assertEquals(10_000, text.length());
        long truncatedBefore = svc.info(MINILM).map(ModelInfo::truncated).orElse(0L);
        float[] v = svc.embed(MINILM, text, Map.of());
        assertEquals(384, v.length);
        // all-MiniLM-L6-v2 reads 256 tokens: [CLS] + 254 word tokens + [SEP]
        float[] prefix = svc.embed(MINILM, "hello world ".repeat(127), Map.of());
        assertTrue(Vectors.cosine(prefix, v) > 0.99999, "cosine " + Vectors.cosine(prefix, v));
        assertTrue(svc.info(MINILM).orElseThrow().truncated() > truncatedBefore);
        // 512-token models too, next to short texts
        float[][] batch = svc.embed("BAAI/bge-small-en-v1.5-q", List.of("short", text, ""), Map.of());
        for (float[] b : batch) assertEquals(1.0, Vectors.norm(b), 1e-4);
    }

    @Test
    void unicodeAndEmptyString() {
        List<String> texts = List.of("", "日本語のテキストです。", "Ünïcödé façade — “quotes” 😀🚀", "Привет, мир", "\u0000\t\n ",
                "مرحبا بالعالم");
        float[][] out = svc.embed(MINILM, texts, Map.of());
        for (int i = 0; i < texts.size(); i++) {
            assertNotNull(out[i]);
            assertEquals(1.0, Vectors.norm(out[i]), 1e-4, texts.get(i));
            assertArrayEquals(svc.embed(MINILM, texts.get(i), Map.of()), out[i], 1e-4f, texts.get(i));
        }
        assertArrayEquals(out[0], svc.embed(MINILM, "", Map.of()), 1e-5f);
    }

    @Test
    void aliasesAndCaseInsensitiveNames() {
        float[] a = svc.embed(MINILM, "the cat", Map.of());
        assertArrayEquals(a, svc.embed("all-MiniLM-L6-v2", "the cat", Map.of()), 1e-5f);
        assertArrayEquals(a, svc.embed("Xenova/all-MiniLM-L6-v2", "the cat", Map.of()), 1e-5f);
        assertArrayEquals(a, svc.embed("sentence-transformers/all-minilm-l6-v2", "the cat", Map.of()), 1e-5f);
        assertEquals(6, svc.bundledModels().size());
    }

    @Test
    void e5PromptKwargEqualsWrittenPrefix() {
        float[] written = svc.embed("intfloat/e5-small-v2-q", "query: how do embeddings work?", Map.of());
        float[] kwarg = svc.embed("intfloat/e5-small-v2-q", "how do embeddings work?", Map.of("prompt", "query: "));
        assertArrayEquals(written, kwarg, 1e-5f);
        float[] none = svc.embed("intfloat/e5-small-v2-q", "how do embeddings work?", Map.of());
        assertTrue(Vectors.cosine(none, written) < 0.9999, "nothing is prepended silently");
    }

    @Test
    void unknownModelErrorListsPlacesAndBundledModels() {
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> svc.embed("acme/unknown-model", "x", Map.of()));
        String m = e.getMessage();
        assertTrue(m.contains("bundled: sentence-transformers/all-MiniLM-L6-v2"), m);
        assertTrue(m.contains("BAAI/bge-small-en-v1.5") && m.contains("intfloat/e5-small-v2"), m);
        assertTrue(m.contains("optimum-cli export onnx --model acme/unknown-model"), m);
        assertTrue(m.contains("models--acme--unknown-model"), m);
    }

    /** Copies a bundled model's files into a Hugging Face layout directory with sentence-transformers configs. */
    static void copyAsHfLayout(String onnxResource, String tokenizerResource, Path dir, boolean onnxSubdir,
                               String pooling, int maxSeqLength) throws IOException {
        Path onnx = dir.resolve(onnxSubdir ? "onnx/model.onnx" : "model.onnx");
        Files.createDirectories(onnx.getParent());
        copyResource(onnxResource, onnx);
        copyResource(tokenizerResource, dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"bert\",\"hidden_size\":384,"
                + "\"max_position_embeddings\":512}");
        Files.writeString(dir.resolve("modules.json"), """
                [{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
                 {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
                 {"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]""");
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.writeString(dir.resolve("1_Pooling/config.json"), "{\"word_embedding_dimension\":384,"
                + "\"pooling_mode_cls_token\":" + pooling.equals("cls") + ",\"pooling_mode_mean_tokens\":"
                + pooling.equals("mean") + ",\"pooling_mode_max_tokens\":false}");
        Files.writeString(dir.resolve("sentence_bert_config.json"), "{\"max_seq_length\":" + maxSeqLength + "}");
    }

    static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void localDirectoryAndHfCacheCopiesEqualTheBundledModel() throws Exception {
        Path models = tmp.resolve("models");
        copyAsHfLayout("bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json",
                models.resolve("local/bge-q"), true, "cls", 512);
        Path hub = tmp.resolve("hf-cache-test/hub");
        Path snap = hub.resolve("models--acme--minilm-q/snapshots/abc123");
        copyAsHfLayout("all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", snap, false, "mean", 256);
        Files.createDirectories(hub.resolve("models--acme--minilm-q/refs"));
        Files.writeString(hub.resolve("models--acme--minilm-q/refs/main"), "abc123");

        try (EmbeddingService dirs = new EmbeddingService(BundledModels.config(tmp).modelsDir(models).hfHubCache(hub).build())) {
            ModelSource local = dirs.resolve("local/bge-q");
            assertTrue(local.origin().startsWith("local models directory"), local.origin());
            assertEquals(List.of(Pooling.CLS), local.profile().pooling());
            ModelSource cached = dirs.resolve("acme/minilm-q");
            assertTrue(cached.origin().startsWith("Hugging Face cache"), cached.origin());
            for (String t : BundledModels.SENTENCES) {
                assertArrayEquals(svc.embed("BAAI/bge-small-en-v1.5-q", t, Map.of()), dirs.embed("local/bge-q", t, Map.of()),
                        1e-5f, t);
                assertArrayEquals(svc.embed("sentence-transformers/all-MiniLM-L6-v2-q", t, Map.of()),
                        dirs.embed("acme/minilm-q", t, Map.of()), 1e-5f, t);
            }
            // a local directory of the same name shadows the bundled model
            copyAsHfLayout("all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json",
                    models.resolve("BAAI/bge-small-en-v1.5"), false, "mean", 256);
            assertTrue(dirs.resolve("BAAI/bge-small-en-v1.5").origin().startsWith("local models directory"));
            System.out.println("layout: " + Arrays.toString(new String[] {local.origin(), cached.origin()}));
        }
    }
}
