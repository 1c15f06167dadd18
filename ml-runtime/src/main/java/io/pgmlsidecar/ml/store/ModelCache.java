package io.pgmlsidecar.ml.store;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.pgmlsidecar.ml.MlException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loaded models shared by all callers, bounded by total weight (bytes of model files); evicted models
 * are closed once no caller uses them. A model is loaded once even when many callers ask at the same
 * time; loading happens in the caller's thread, outside any cache lock. A failed load is not cached.
 */
public final class ModelCache<M extends CachedModel> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelCache.class);

    private final AsyncCache<String, M> cache;
    private final Function<String, M> loader;
    private final long maxBytes;

    private final ModelCacheMetrics metrics;
    /** Kept so the metrics' weak reference to it lives as long as this cache. */
    private final com.github.benmanes.caffeine.cache.Cache<String, M> synchronousView;

    public ModelCache(long maxBytes, Function<String, M> loader) {
        this("models", maxBytes, loader);
    }

    /** @param name the {@code cache} label of its metrics (embedding, transformer, …) */
    public ModelCache(String name, long maxBytes, Function<String, M> loader) {
        this.loader = loader;
        this.maxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(Math.max(1, maxBytes >> 10))
                .weigher((String k, M m) -> (int) Math.min(Integer.MAX_VALUE, Math.max(1, m.weightBytes() >> 10)))
                .executor(Runnable::run)
                .removalListener((String k, M m, RemovalCause cause) -> {
                    if (m == null) return;
                    log.info("unloading model '{}' ({})", k, cause);
                    if (cause.wasEvicted()) {
                        evictedOne();
                    }
                    m.retire();
                })
                .buildAsync();
        this.synchronousView = cache.synchronous();
        this.metrics = ModelCacheMetrics.track(name, synchronousView);
    }

    private void evictedOne() {
        if (metrics != null) { // null only while the constructor runs
            metrics.evicted();
        }
    }

    /** Runs {@code action} with the model {@code key}, loading it if needed; the model stays open meanwhile. */
    public <T> T use(String key, Function<M, T> action) {
        for (int attempt = 0; ; attempt++) {
            CompletableFuture<M> mine = new CompletableFuture<>();
            CompletableFuture<M> f = cache.get(key, (k, executor) -> mine);
            M m;
            boolean acquired;
            if (f == mine) {
                metrics.miss();
                long loadStart = System.nanoTime();
                try {
                    m = loader.apply(key);
                    metrics.loaded(System.nanoTime() - loadStart);
                } catch (RuntimeException | Error e) {
                    cache.asMap().remove(key, mine);
                    mine.completeExceptionally(new LoadFailed(e));
                    throw e;
                }
                acquired = m.acquire(); // before publishing: an over-weight model evicted at once stays usable here
                if (m.weightBytes() > maxBytes) {
                    log.warn("model '{}' ({} MiB) is larger than the model cache ({} MiB); it will be reloaded on every use",
                            key, m.weightBytes() >> 20, maxBytes >> 20);
                }
                mine.complete(m);
            } else {
                metrics.hit();
                m = join(f);
                acquired = m.acquire();
            }
            if (acquired) {
                try {
                    return action.apply(m);
                } finally {
                    m.release();
                }
            }
            cache.synchronous().asMap().remove(key, m);
            if (attempt > 1000) throw new MlException("model '" + key + "' keeps being evicted; raise cache-max-bytes");
        }
    }

    /**
     * A failed load as concurrent waiters receive it. A CancellationException, because Caffeine logs
     * any other exceptional load as a warning with a stack trace, and an unknown model is the
     * caller's error, already reported to them.
     */
    private static final class LoadFailed extends java.util.concurrent.CancellationException {
        final Throwable failure;

        LoadFailed(Throwable failure) {
            super(failure.getMessage());
            this.failure = failure;
        }
    }

    private static <M> M join(CompletableFuture<M> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CancellationException e) {
            // join may throw a new CancellationException with ours as its cause
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof LoadFailed failed) {
                    if (failed.failure instanceof RuntimeException r) throw r;
                    if (failed.failure instanceof Error err) throw err;
                    throw new MlException(String.valueOf(failed.failure), failed.failure);
                }
            }
            throw e;
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new MlException(String.valueOf(c), c);
        }
    }

    /** Unloads one model (closed when its current users finish); false if it was not loaded. */
    public boolean invalidate(String key) {
        boolean present = cache.asMap().containsKey(key);
        cache.synchronous().invalidate(key);
        return present;
    }

    /** Unloads every model. */
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    /** The models loaded now (not counting loads in progress). */
    public List<M> loaded() {
        List<M> out = new ArrayList<>();
        for (CompletableFuture<M> f : cache.asMap().values()) {
            if (f.isDone() && !f.isCompletedExceptionally()) out.add(f.join());
        }
        return out;
    }

    @Override
    public void close() {
        invalidateAll();
    }
}
