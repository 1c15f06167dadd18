package io.pgmlsidecar.planner.tabular.engine;

import java.util.Optional;
import java.util.function.Function;

/**
 * Somewhere other than the sidecar that trains a booster for pgml.train ({@code hyperparams => '{"engine": "spark"}'}).
 * The sidecar keeps the snapshot, split, preprocessing, scoring and storing; the engine reads the relation itself,
 * as the calling role, and trains on the rows the sidecar's split puts in training. Implementations live in their own
 * modules (spark-engine) and are found through {@link Provider} with {@link java.util.ServiceLoader}, so the planner
 * carries none of their dependencies. Failures are {@link io.pgmlsidecar.proxy.intercept.PgException}s.
 */
public interface TrainingEngine {

    /** The name hyperparams choose it by ("spark"). */
    String name();

    /**
     * Trainings this engine can take that name no engine go to it when the relation has at least this many rows
     * (PostgreSQL's estimate, {@code pg_class.reltuples}); {@link Long#MAX_VALUE}: never.
     */
    default long automaticAboveRows() {
        return Long.MAX_VALUE;
    }

    /** Starts a job that reads {@code request.relation()}; returns once it runs. */
    EngineJob start(EngineJobRequest request);

    /** Makes the engine from the sidecar's settings; empty when the settings do not configure it. */
    interface Provider {
        Optional<TrainingEngine> create(Function<String, String> settings);
    }
}
