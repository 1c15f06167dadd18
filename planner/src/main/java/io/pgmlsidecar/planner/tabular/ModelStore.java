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

    private final Cache<Long, TabularModel> models = Caffeine.newBuilder().maximumSize(256).build();

    void put(long modelId, TabularModel model) {
        models.put(modelId, model);
    }

    TabularModel get(SessionContext session, long modelId) {
        return models.get(modelId, id -> TabularActions.guard(() -> TabularModel.fromBytes(new TabularCatalog(session.backend()).loadModel(id))));
    }

    public void clear() {
        models.invalidateAll();
    }
}
