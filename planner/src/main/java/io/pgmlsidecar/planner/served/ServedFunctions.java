package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.EmbedCalls;
import io.pgmlsidecar.planner.functions.EmbeddingModels;
import io.pgmlsidecar.planner.SidecarServices;
import io.pgmlsidecar.planner.tabular.DeploymentCache;
import io.pgmlsidecar.planner.tabular.ModelStore;
import io.pgmlsidecar.planner.tabular.Predictions;
import io.pgmlsidecar.planner.tabular.TabularActions;

/** Wires every served function to its implementation: how it answers alone (S0),
 * row-wise (S1–S3) and, for set-returning ones, in two passes. */
public final class ServedFunctions {
    private ServedFunctions() {}

    public static void register(SidecarServices services, AloneForms alone, CallFunctions rowWise, SetCalls sets) {
        EmbeddingModels embeddings = services.embeddings();
        ModelStore trained = new ModelStore();
        EmbedFunctions.register(new EmbedCalls(embeddings), alone, rowWise);
        TabularFunctions.register(new TabularActions(trained), new Predictions(trained, new DeploymentCache(services.deployments())), alone, rowWise);
        AdminFunctions.register(embeddings, trained, alone);
        MetricFunctions.register(alone, rowWise);
        ChunkFunctions.register(alone, sets);
    }
}
