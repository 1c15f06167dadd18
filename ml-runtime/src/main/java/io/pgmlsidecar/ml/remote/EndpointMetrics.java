package io.pgmlsidecar.ml.remote;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.pgmlsidecar.ml.remote.RemoteCallException.Kind;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The Micrometer meters of one endpoint, tagged {@code endpoint=<name>} (never the key). */
final class EndpointMetrics {
    static final String REQUESTS = "pgml.remote.requests";
    static final String ERRORS = "pgml.remote.errors";
    static final String RETRIES = "pgml.remote.retries";
    static final String PAUSES = "pgml.remote.rate_limit.pauses";
    static final String LATENCY = "pgml.remote.latency";
    static final String BATCH_SIZE = "pgml.remote.batch.size";
    static final String DEDUPLICATED = "pgml.remote.inputs.deduplicated";
    static final String QUEUED = "pgml.remote.queued";

    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter requests;
    private final Counter retries;
    private final Counter pauses;
    private final Counter deduplicated;
    private final Timer latency;
    private final DistributionSummary batchSize;
    private final Map<Kind, Counter> errors = new EnumMap<>(Kind.class);
    private Gauge queued;

    EndpointMetrics(MeterRegistry registry, String endpointName) {
        this.registry = registry;
        this.tags = Tags.of("endpoint", endpointName);
        requests = Counter.builder(REQUESTS).description("HTTP requests sent to the endpoint").tags(tags).register(registry);
        retries = Counter.builder(RETRIES).description("failed requests whose work was queued for another attempt")
                .tags(tags).register(registry);
        pauses = Counter.builder(PAUSES).description("times a 429 paused every caller of the endpoint")
                .tags(tags).register(registry);
        deduplicated = Counter.builder(DEDUPLICATED).description("inputs not sent because an identical one went in the same request")
                .tags(tags).register(registry);
        latency = Timer.builder(LATENCY).description("duration of each HTTP request, failed ones included")
                .tags(tags).register(registry);
        batchSize = DistributionSummary.builder(BATCH_SIZE).description("inputs per embeddings / infer request")
                .tags(tags).register(registry);
        for (Kind k : Kind.values()) {
            errors.put(k, Counter.builder(ERRORS).description("failed requests, by kind of failure")
                    .tags(tags).tag("kind", k.name().toLowerCase(Locale.ROOT)).register(registry));
        }
    }

    void request(long nanos) {
        requests.increment();
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void error(Kind kind) {
        errors.get(kind).increment();
    }

    void retry() {
        retries.increment();
    }

    void pause() {
        pauses.increment();
    }

    void batch(int inputsSent) {
        batchSize.record(inputsSent);
    }

    void deduplicated(int inputs) {
        if (inputs > 0) deduplicated.increment(inputs);
    }

    void gaugeQueue(Supplier<Number> queuedUnits) {
        queued = Gauge.builder(QUEUED, queuedUnits).description("calls and inputs waiting to be sent")
                .tags(tags).register(registry);
    }

    void close() {
        if (queued != null) registry.remove(queued);
    }
}
