package io.pgmlsidecar.spark.engine;

import io.pgmlsidecar.planner.bulk.BulkEngine;
import java.util.Optional;
import java.util.function.Function;

/** Found by {@link java.util.ServiceLoader}: the Spark embedding engine when {@code pgml.spark.master} is set. */
public final class SparkBulkEngineProvider implements BulkEngine.Provider {
    @Override
    public Optional<BulkEngine> create(Function<String, String> settings) {
        return SparkSettings.from(settings).map(s -> {
            StaleJobSweeper.startOnce(s); // what a sidecar that died mid-job left, and from now on periodically
            return new SparkBulkEngine(s);
        });
    }
}
