package io.pgmlsidecar.spark.engine;

import io.pgmlsidecar.planner.bulk.EmbeddingEngine;
import java.util.Optional;
import java.util.function.Function;

/** Found by {@link java.util.ServiceLoader}: the Spark embedding engine when {@code pgml.spark.master} is set. */
public final class SparkEmbeddingEngineProvider implements EmbeddingEngine.Provider {
    @Override
    public Optional<EmbeddingEngine> create(Function<String, String> settings) {
        return SparkSettings.from(settings).map(SparkEmbeddingEngine::new);
    }
}
