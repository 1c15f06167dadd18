package io.pgmlsidecar.spark.engine;

import io.pgmlsidecar.planner.tabular.engine.TrainingEngine;
import java.util.Optional;
import java.util.function.Function;

/** Found by {@link java.util.ServiceLoader}: a Spark engine when {@code pgml.spark.master} is set. */
public final class SparkEngineProvider implements TrainingEngine.Provider {
    @Override
    public Optional<TrainingEngine> create(Function<String, String> settings) {
        return SparkSettings.from(settings).map(s -> {
            StaleJobSweeper.startOnce(s); // what a sidecar that died mid-job left, and from now on periodically
            return new SparkTrainingEngine(s);
        });
    }
}
