package io.pgmlsidecar.planner.tabular;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The serving meters of trained models, in Micrometer's global registry (the Prometheus endpoint
 * and the dashboard read them): how many models are loaded in this process, and per project and
 * algorithm the model calls, their latency and the rows each call took.
 */
final class ServingMeters {
    private static final AtomicLong LOADED = new AtomicLong();

    static {
        Metrics.gauge("pgml.models.loaded", LOADED);
    }

    private ServingMeters() {}

    static void loaded(int delta) {
        LOADED.addAndGet(delta);
    }

    /** Runs one batched model call, timed, with its row count recorded. */
    static <T> T call(String project, String algorithm, int rows, Supplier<T> work) {
        DistributionSummary.builder("pgml.predict.batch.size").description("rows per model call").baseUnit("rows")
                .tag("project", project).tag("algorithm", algorithm).register(Metrics.globalRegistry).record(rows);
        return Timer.builder("pgml.predict").description("model calls of pgml.predict / predict_proba / predict_joint / decompose")
                .tag("project", project).tag("algorithm", algorithm).register(Metrics.globalRegistry).record(work);
    }
}
