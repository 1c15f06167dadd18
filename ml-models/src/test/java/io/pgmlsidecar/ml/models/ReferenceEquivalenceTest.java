package io.pgmlsidecar.ml.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.e5smallv2.E5SmallV2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.e5smallv2q.E5SmallV2QuantizedEmbeddingModel;
import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.pipelines.Vectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our runtime against the reference implementation shipped with the same model files: langchain4j's
 * embedding classes (one text per ONNX call, no padding). Cosine >= 0.9999 per vector, for single
 * texts and for padded batches. Each model is loaded once (per nested class).
 */
class ReferenceEquivalenceTest {
    static final double MIN_COSINE = 0.9999;

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

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class ModelCase {
        final String name;
        final Supplier<EmbeddingModel> reference;
        final String prefix;
        final boolean quantized;
        EmbeddingModel ref;
        List<float[]> expected;

        ModelCase(String name, Supplier<EmbeddingModel> reference, String prefix, boolean quantized) {
            this.name = name;
            this.reference = reference;
            this.prefix = prefix;
            this.quantized = quantized;
        }

        List<String> texts() {
            return BundledModels.SENTENCES.stream().map(s -> prefix + s).toList();
        }

        @BeforeAll
        void load() {
            ref = reference.get();
            expected = new ArrayList<>();
            for (String t : texts()) expected.add(ref.embed(TextSegment.from(t)).content().vector());
        }

        @AfterAll
        void unload() {
            svc.evict(name);
        }

        @Test
        void singleTextsEqualTheReference() {
            List<String> texts = texts();
            for (int i = 0; i < texts.size(); i++) {
                float[] ours = svc.embed(name, texts.get(i), Map.of());
                double cos = Vectors.cosine(expected.get(i), ours);
                assertTrue(cos >= MIN_COSINE, name + " '" + texts.get(i) + "': cosine " + cos);
                assertEquals(1.0, Vectors.norm(ours), 1e-4);
            }
        }

        @Test
        void paddedBatchesEqualTheReference() {
            List<String> texts = texts();
            float[][] ours = svc.embed(name, texts, Map.of("batch_size", 4));
            double worst = 1;
            for (int i = 0; i < texts.size(); i++) worst = Math.min(worst, Vectors.cosine(expected.get(i), ours[i]));
            assertTrue(worst >= MIN_COSINE, name + ": worst batch cosine " + worst);
            // int8 graphs scale over the whole batch tensor: they run one text per call to stay exact
            assertEquals(quantized ? 1 : 32, svc.info(name).orElseThrow().batchSize());
            System.out.printf("reference: %-42s worst cosine vs langchain4j in padded batches: %.7f%n", name, worst);
        }

        @Test
        void dimensions() {
            assertEquals(384, svc.dimensions(name));
        }

        @Test
        void paraphraseIsCloserThanUnrelated() {
            float[][] v = svc.embed(name, List.of(prefix + "The cat sits on the mat.", prefix + "A kitten is resting on a rug.",
                    prefix + "Quarterly revenue grew by twelve percent."), Map.of());
            double para = Vectors.cosine(v[0], v[1]);
            double unrelated = Vectors.cosine(v[0], v[2]);
            assertTrue(para > unrelated + 0.05, name + ": paraphrase " + para + " vs unrelated " + unrelated);
        }
    }

    @Nested
    class AllMiniLmL6V2 extends ModelCase {
        AllMiniLmL6V2() {
            super("sentence-transformers/all-MiniLM-L6-v2", AllMiniLmL6V2EmbeddingModel::new, "", false);
        }
    }

    @Nested
    class BgeSmallEnV15 extends ModelCase {
        BgeSmallEnV15() {
            super("BAAI/bge-small-en-v1.5", BgeSmallEnV15EmbeddingModel::new, "", false);
        }
    }

    @Nested
    class E5SmallV2 extends ModelCase {
        E5SmallV2() {
            super("intfloat/e5-small-v2", E5SmallV2EmbeddingModel::new, "query: ", false);
        }
    }

    @Nested
    class AllMiniLmL6V2Quantized extends ModelCase {
        AllMiniLmL6V2Quantized() {
            super("sentence-transformers/all-MiniLM-L6-v2-q", AllMiniLmL6V2QuantizedEmbeddingModel::new, "", true);
        }
    }

    @Nested
    class BgeSmallEnV15Quantized extends ModelCase {
        BgeSmallEnV15Quantized() {
            super("BAAI/bge-small-en-v1.5-q", BgeSmallEnV15QuantizedEmbeddingModel::new, "", true);
        }
    }

    @Nested
    class E5SmallV2Quantized extends ModelCase {
        E5SmallV2Quantized() {
            super("intfloat/e5-small-v2-q", E5SmallV2QuantizedEmbeddingModel::new, "passage: ", true);
        }
    }
}
