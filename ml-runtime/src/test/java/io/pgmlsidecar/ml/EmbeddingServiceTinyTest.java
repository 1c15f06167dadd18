package io.pgmlsidecar.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.ml.pipelines.Vectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embed pipeline end to end on a generated tiny model, checked against hand-computed vectors. */
class EmbeddingServiceTinyTest {
    static final float EPS = 1e-5f;
    static final String MEAN = "test/tiny-mean", CLS = "test/tiny-cls", SUBDIR = "test/tiny-subdir";

    @TempDir
    static Path tmp;
    static TinyModel tiny = new TinyModel(42);
    static EmbeddingService svc;

    @BeforeAll
    static void setUp() throws Exception {
        Path models = tmp.resolve("models");
        tiny.writeHfLayout(models.resolve(MEAN), false, "mean", true, 16);
        tiny.writeHfLayout(models.resolve(CLS), false, "cls", false, 512);
        tiny.writeHfLayout(models.resolve(SUBDIR), true, "mean", true, 512);
        svc = new EmbeddingService(testConfig(tmp).modelsDir(models).build());
    }

    static MlConfig.Builder testConfig(Path tmp) {
        return MlConfig.builder(Map.of()).hfHome(tmp.resolve("hf")).workDir(tmp.resolve("work")).hubDownload(false)
                .intraOpThreads(1);
    }

    @AfterAll
    static void tearDown() {
        svc.close();
    }

    static void assertVec(float[] expected, float[] actual) {
        assertNotNull(actual);
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], EPS, "component " + i + ": " + Arrays.toString(actual));
        }
    }

    @Test
    void meanPoolingAndNormalizationMatchHandComputation() {
        float[] v = svc.embed(MEAN, "The cat sat", Map.of());
        assertVec(tiny.expected(TinyModel.ids("the", "cat", "sat"), "mean", true), v);
        assertEquals(1.0, Vectors.norm(v), 1e-5);
    }

    @Test
    void clsPoolingWithoutNormalization() {
        float[] v = svc.embed(CLS, "dog ran fast", Map.of());
        assertVec(tiny.expected(TinyModel.ids("dog", "ran", "fast"), "cls", false), v);
        assertVec(tiny.expected(TinyModel.ids("dog", "ran", "fast"), "cls", true),
                svc.embed(CLS, "dog ran fast", Map.of("normalize_embeddings", true)));
        // a normalizing model stays normalized when the kwarg is false, as in sentence-transformers
        assertEquals(1.0, Vectors.norm(svc.embed(MEAN, "dog", Map.of("normalize_embeddings", false))), 1e-5);
    }

    @Test
    void onnxInSubdirectory() {
        assertVec(tiny.expected(TinyModel.ids("hello", "world"), "mean", true), svc.embed(SUBDIR, "hello world", null));
    }

    @Test
    void promptAndInstructionArePrepended() {
        float[] withPrompt = svc.embed(MEAN, "the cat", Map.of("prompt", "query: "));
        assertVec(svc.embed(MEAN, "query: the cat", Map.of()), withPrompt);
        assertVec(tiny.expected(TinyModel.ids("query", ":", "the", "cat"), "mean", true), withPrompt);
        assertVec(withPrompt, svc.embed(MEAN, "the cat", Map.of("instruction", "query: ")));
        assertVec(withPrompt, svc.embed(MEAN, "the cat", Map.of("prompt", "query: ", "instruction", "passage: ")));
        // nothing is added silently
        assertVec(tiny.expected(TinyModel.ids("the", "cat"), "mean", true), svc.embed(MEAN, "the cat", Map.of()));
    }

    @Test
    void kwargsValidationAndIgnoredKeys() {
        MlException e = assertThrows(MlException.class, () -> svc.embed(MEAN, "cat", Map.of("nonsense", 1)));
        assertTrue(e.getMessage().contains("nonsense"), e.getMessage());
        assertThrows(MlException.class, () -> svc.embed(MEAN, "cat", Map.of("batch_size", 0)));
        assertThrows(MlException.class, () -> svc.embed(MEAN, "cat", Map.of("normalize_embeddings", "maybe")));
        assertThrows(MlException.class, () -> svc.embed(MEAN, "cat", Map.of("precision", "int8")));
        assertNotNull(svc.embed(MEAN, "cat", Map.of("device", "cuda", "trust_remote_code", true, "normalize_embeddings", "true")));
    }

    @Test
    void truncateDim() {
        float[] full = svc.embed(CLS, "the mat", Map.of());
        float[] cut = svc.embed(CLS, "the mat", Map.of("truncate_dim", 3));
        assertArrayEquals(Arrays.copyOf(full, 3), cut, EPS);
        float[] cutNorm = svc.embed(CLS, "the mat", Map.of("truncate_dim", 3, "normalize_embeddings", true));
        assertEquals(1.0, Vectors.norm(cutNorm), 1e-5);
    }

    @Test
    void nullTextGivesNullVectorAndEmptyListGivesNothing() {
        float[][] out = svc.embed(MEAN, Arrays.asList("cat", null, "dog"), Map.of());
        assertEquals(3, out.length);
        assertVec(tiny.expected(TinyModel.ids("cat"), "mean", true), out[0]);
        assertNull(out[1]);
        assertVec(tiny.expected(TinyModel.ids("dog"), "mean", true), out[2]);
        assertNull(svc.embed(MEAN, (String) null, Map.of()));
        assertEquals(0, svc.embed(MEAN, List.of(), Map.of()).length);
    }

    @Test
    void emptyStringIsEmbedded() {
        assertVec(tiny.expected(TinyModel.ids(), "mean", true), svc.embed(MEAN, "", Map.of()));
        assertVec(tiny.expected(TinyModel.ids(), "cls", false), svc.embed(CLS, "", Map.of()));
    }

    @Test
    void longTextIsTruncatedNotFailed() {
        String text = "the cat ".repeat(1250); // 10,000 characters, 2,500 words; max_seq_length is 16
        assertEquals(10_000, text.length());
        long before = svc.info(MEAN).map(ModelInfo::truncated).orElse(0L);
        float[] v = svc.embed(MEAN, text, Map.of());
        String[] first14 = new String[14];
        for (int i = 0; i < 14; i++) first14[i] = i % 2 == 0 ? "the" : "cat";
        assertVec(tiny.expected(TinyModel.ids(first14), "mean", true), v);
        assertTrue(svc.info(MEAN).orElseThrow().truncated() > before);
    }

    @Test
    void unicode() {
        float[] v = svc.embed(MEAN, "Café 日本語 😀!", Map.of());
        // BertNormalizer lower-cases and strips accents; CJK characters are split; the emoji is unknown
        assertVec(tiny.expected(TinyModel.ids("cafe", "日", "本", "語", "[UNK]", "!"), "mean", true), v);
    }

    @Test
    void batchEqualsSingleAndKeepsOrder() {
        List<String> texts = List.of("the cat sat on the mat", "dog", "", "hello world !", "a dog ran fast , the cat sat",
                "café", "the", "good bad good bad good bad", "? ! .", "cats");
        float[][] batch = svc.embed(MEAN, texts, Map.of("batch_size", 3));
        for (int i = 0; i < texts.size(); i++) {
            assertVec(svc.embed(MEAN, texts.get(i), Map.of()), batch[i]);
        }
        assertVec(tiny.expected(TinyModel.ids("cat", "##s"), "mean", true), batch[9]);
    }

    @Test
    void batchSizeSplitsIntoInferenceCalls() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 10; i++) texts.add("the cat " + "dog ".repeat(i));
        svc.embed(CLS, "warm", Map.of());
        long before = svc.info(CLS).orElseThrow().inferenceCalls();
        svc.embed(CLS, texts, Map.of("batch_size", 4));
        assertEquals(before + 3, svc.info(CLS).orElseThrow().inferenceCalls());
        svc.embed(CLS, texts, Map.of());
        assertEquals(before + 4, svc.info(CLS).orElseThrow().inferenceCalls()); // default batch size 32
    }

    @Test
    void dimensionsAndInfo() {
        assertEquals(TinyModel.DIM, svc.dimensions(MEAN));
        ModelInfo info = svc.load(MEAN);
        assertEquals(16, info.maxLength());
        assertEquals("cpu", info.device());
        assertTrue(info.origin().contains("local models directory"), info.origin());
        assertTrue(svc.loadedModels().stream().anyMatch(m -> m.name().equals(MEAN)));
    }
}
