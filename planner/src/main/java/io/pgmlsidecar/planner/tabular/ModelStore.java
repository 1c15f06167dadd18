package io.pgmlsidecar.planner.tabular;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pgmlsidecar.ml.tabular.TabularModel;
import io.pgmlsidecar.proxy.intercept.SessionContext;

/**
 * Trained models by model id, shared by all sessions. A model id's bytes never change, so the
 * cache needs no invalidation; which id a project serves is looked up per statement, so a
 * deployment made through another sidecar is seen at once.
 */
public final class ModelStore {

    // every entry in counts once in the loaded-models gauge; the listener runs on the caller's thread
    private final Cache<Long, TabularModel> models = Caffeine.newBuilder().maximumSize(256).executor(Runnable::run)
            .removalListener((Long id, TabularModel m, com.github.benmanes.caffeine.cache.RemovalCause cause) -> ServingMeters.loaded(-1))
            .build();

    void put(long modelId, TabularModel model) {
        ServingMeters.loaded(1);
        models.put(modelId, model);
    }

    TabularModel get(SessionContext session, long modelId) {
        return models.get(modelId, id -> {
            TabularModel loaded = TabularActions.guard(() -> TabularModel.fromBytes(new TabularCatalog(session.backend()).loadModel(id)));
            ServingMeters.loaded(1);
            return loaded;
        });
    }

    public void clear() {
        models.invalidateAll();
    }
}
