package io.pgmlsidecar.ml.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The meters of one model cache, tagged {@code cache=<name>} (embedding, transformer, tabular):
 * look-ups that found the model loaded or had to load it, evictions, load time, and how many models
 * are loaded now. In Micrometer's global registry, which the launcher scrapes.
 */
public final class ModelCacheMetrics {
    public static final String REQUESTS = "pgml.model.cache.requests";
    public static final String EVICTIONS = "pgml.model.cache.evictions";
    public static final String LOAD = "pgml.model.load.duration";
    public static final String LOADED = "pgml.model.cache.loaded";

    private final Counter hits;
    private final Counter misses;
    private final Counter evictions;
    private final Timer loads;

    public ModelCacheMetrics(String cache, Supplier<Number> loaded) {
        MeterRegistry registry = Metrics.globalRegistry;
        hits = Counter.builder(REQUESTS).description("model look-ups, by whether the model was loaded already")
                .tag("cache", cache).tag("result", "hit").register(registry);
        misses = Counter.builder(REQUESTS).description("model look-ups, by whether the model was loaded already")
                .tag("cache", cache).tag("result", "miss").register(registry);
        evictions = Counter.builder(EVICTIONS).description("models unloaded to make room (size or weight bound)")
                .tag("cache", cache).register(registry);
        loads = Timer.builder(LOAD).description("time to load a model into the cache").tag("cache", cache).register(registry);
        Gauge.builder(LOADED, loaded).description("models loaded now").tag("cache", cache).register(registry);
    }

    public void hit() {
        hits.increment();
    }

    public void miss() {
        misses.increment();
    }

    public void evicted() {
        evictions.increment();
    }

    public void loaded(long nanos) {
        loads.record(nanos, TimeUnit.NANOSECONDS);
    }
}
