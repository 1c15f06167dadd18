package io.pgmlsidecar.ml.models;

import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.MlConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Shared test fixtures. */
final class BundledModels {
    private BundledModels() {}

    /** A service that only finds bundled models (empty HF home, no models dir, no downloads). */
    static EmbeddingService service(Path tmp) {
        return new EmbeddingService(config(tmp).build());
    }

    static MlConfig.Builder config(Path tmp) {
        return MlConfig.builder(Map.of()).hfHome(tmp.resolve("hf")).workDir(tmp.resolve("work")).hubDownload(false);
    }

    /** Sentences of different lengths (all well under 128 tokens). */
    static final List<String> SENTENCES = List.of(
            "The cat sits on the mat.",
            "A kitten is resting on a rug.",
            "Quarterly revenue grew by twelve percent, beating analyst expectations.",
            "PostgreSQL is a powerful, open source object-relational database system with over 35 years of active development.",
            "How do I bake sourdough bread at home?",
            "Neural networks learn representations from data.",
            "ok",
            "The quick brown fox jumps over the lazy dog while the farmer watches from the porch, wondering whether"
                    + " the weather will hold until the harvest is finished next week.",
            "Café déjà vu: naïve coöperation in the façade.",
            "What is the capital of France?");

    static double cosine(float[] a, float[] b) {
        return io.pgmlsidecar.ml.pipelines.Vectors.cosine(a, b);
    }
}
