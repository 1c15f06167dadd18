package io.pgmlsidecar.ml.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import com.github.benmanes.caffeine.cache.Cache;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

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

    private static final Map<String, ModelCacheMetrics> BY_CACHE = new ConcurrentHashMap<>();

    /** The caches counted under one name (one per process in the sidecar; tests make many), held weakly. */
    private final Set<Cache<?, ?>> caches = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final Counter hits;
    private final Counter misses;
    private final Counter evictions;
    private final Timer loads;

    /** The meters of the caches named {@code cache}; {@code models} is counted in the loaded-models gauge. */
    public static ModelCacheMetrics track(String cache, Cache<?, ?> models) {
        ModelCacheMetrics metrics = BY_CACHE.computeIfAbsent(cache, ModelCacheMetrics::new);
        metrics.caches.add(models);
        return metrics;
    }

    private ModelCacheMetrics(String cache) {
        MeterRegistry registry = Metrics.globalRegistry;
        hits = Counter.builder(REQUESTS).description("model look-ups, by whether the model was loaded already")
                .tag("cache", cache).tag("result", "hit").register(registry);
        misses = Counter.builder(REQUESTS).description("model look-ups, by whether the model was loaded already")
                .tag("cache", cache).tag("result", "miss").register(registry);
        evictions = Counter.builder(EVICTIONS).description("models unloaded to make room (size or weight bound)")
                .tag("cache", cache).register(registry);
        loads = Timer.builder(LOAD).description("time to load a model into the cache").tag("cache", cache).register(registry);
        Gauge.builder(LOADED, this, ModelCacheMetrics::loaded).description("models loaded now").tag("cache", cache).register(registry);
    }

    private double loaded() {
        synchronized (caches) {
            return caches.stream().mapToLong(Cache::estimatedSize).sum();
        }
    }

    /** A model loaded now, as the admin console lists it. */
    public record LoadedModel(String cache, String name, Long memoryBytes, String device, Long servedCalls) {}

    /**
     * Every model loaded now in every tracked cache. Memory is the model's own estimate (the size of
     * its files, which ONNX Runtime maps or copies into memory); null where a model gives none.
     */
    public static java.util.List<LoadedModel> loadedModels() {
        java.util.List<LoadedModel> out = new java.util.ArrayList<>();
        BY_CACHE.forEach((cache, metrics) -> {
            synchronized (metrics.caches) {
                for (Cache<?, ?> c : metrics.caches) {
                    c.asMap().forEach((key, value) -> {
                        Weighed m = value instanceof Weighed w ? w : null;
                        out.add(new LoadedModel(cache, String.valueOf(key), m == null ? null : m.weightBytes(),
                                m == null || m.device() == null ? "cpu" : m.device(), m == null ? null : m.servedCalls()));
                    });
                }
            }
        });
        out.sort(java.util.Comparator.comparing(LoadedModel::cache).thenComparing(LoadedModel::name));
        return out;
    }

    private static volatile io.micrometer.core.instrument.MultiGauge memory;

    /**
     * Sets {@code pgml_model_memory_bytes{cache, model}} to the loaded models now, dropping unloaded ones:
     * called before each scrape, so the series follow the caches without a gauge per model ever loaded.
     * Tabular models give no estimate and are left out.
     */
    public static void publishMemory() {
        if (memory == null) {
            synchronized (BY_CACHE) {
                if (memory == null) {
                    memory = io.micrometer.core.instrument.MultiGauge.builder("pgml.model.memory").baseUnit("bytes")
                            .description("memory a loaded model holds, estimated from its files (ONNX graph and weights)")
                            .register(Metrics.globalRegistry);
                }
            }
        }
        java.util.List<io.micrometer.core.instrument.MultiGauge.Row<?>> rows = new java.util.ArrayList<>();
        for (LoadedModel m : loadedModels()) {
            if (m.memoryBytes() != null) {
                rows.add(io.micrometer.core.instrument.MultiGauge.Row.of(
                        io.micrometer.core.instrument.Tags.of("cache", m.cache(), "model", m.name()), m.memoryBytes()));
            }
        }
        memory.register(rows, true);
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
