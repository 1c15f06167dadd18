package io.pgmlsidecar.planner.tabular;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.pgmlsidecar.ml.store.ModelCacheMetrics;
import io.pgmlsidecar.ml.tabular.TabularModel;
import io.pgmlsidecar.proxy.intercept.SessionContext;

/**
 * Trained models by model id, shared by all sessions. A model id's bytes never change, so the
 * cache needs no invalidation; which id a project serves is looked up per statement, so a
 * deployment made through another sidecar is seen at once.
 */
public final class ModelStore {

    private final ModelCacheMetrics metrics;
    private final Cache<Long, TabularModel> models;

    public ModelStore() {
        ModelCacheMetrics[] meters = new ModelCacheMetrics[1];
        // every entry counts once in the loaded-models gauge; the listener runs on the caller's thread
        models = Caffeine.newBuilder().maximumSize(256).executor(Runnable::run)
                .removalListener((Long id, TabularModel m, RemovalCause cause) -> {
                    ServingMeters.loaded(-1);
                    if (cause.wasEvicted() && meters[0] != null) {
                        meters[0].evicted();
                    }
                })
                .build();
        metrics = ModelCacheMetrics.track("tabular", models);
        meters[0] = metrics;
    }

    void put(long modelId, TabularModel model) {
        ServingMeters.loaded(1);
        models.put(modelId, model);
    }

    TabularModel get(SessionContext session, long modelId) {
        TabularModel cached = models.getIfPresent(modelId);
        if (cached != null) {
            metrics.hit();
            return cached;
        }
        metrics.miss();
        return models.get(modelId, id -> {
            long start = System.nanoTime();
            TabularModel loaded = TabularActions.guard(() -> TabularModel.fromBytes(new TabularCatalog(session.backend()).loadModel(id)));
            metrics.loaded(System.nanoTime() - start);
            ServingMeters.loaded(1);
            return loaded;
        });
    }

    public void clear() {
        models.invalidateAll();
    }
}
