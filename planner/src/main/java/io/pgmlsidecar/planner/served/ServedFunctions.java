package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.EmbedCalls;
import io.pgmlsidecar.planner.functions.EmbeddingModels;
import io.pgmlsidecar.planner.SidecarServices;
import io.pgmlsidecar.planner.remote.AzureMlInvocations;
import io.pgmlsidecar.planner.remote.AzureSettings;
import io.pgmlsidecar.planner.remote.RemoteEmbeddings;
import io.pgmlsidecar.planner.remote.RemoteTransforms;
import io.pgmlsidecar.planner.transform.LocalTransforms;
import io.pgmlsidecar.planner.transform.TransformCalls;
import io.pgmlsidecar.planner.tune.Generations;
import io.pgmlsidecar.planner.tune.TuneActions;
import io.pgmlsidecar.planner.tune.TunedPredictions;
import io.pgmlsidecar.planner.tabular.DeploymentCache;
import io.pgmlsidecar.planner.tabular.ModelStore;
import io.pgmlsidecar.planner.tabular.Predictions;
import io.pgmlsidecar.planner.tabular.RegistryDump;
import io.pgmlsidecar.planner.tabular.TabularActions;

/** Wires every served function to its implementation: how it answers alone (S0),
 * row-wise (S1–S3) and, for set-returning ones, in two passes. */
public final class ServedFunctions {
    private ServedFunctions() {}

    public static void register(SidecarServices services, AloneForms alone, CallFunctions rowWise, SetCalls sets) {
        EmbeddingModels embeddings = services.embeddings();
        ModelStore trained = new ModelStore();
        Predictions predictions = new Predictions(trained, new DeploymentCache(services.deployments()),
                new TunedPredictions(services.transforms()));
        TabularFunctions.register(new TabularActions(trained, services.serverFiles(), services.trainingEngines()), new RegistryDump(services.serverFiles()),
                predictions, alone, rowWise);
        TabularFunctions.registerBatchOverRows(predictions, sets);
        AdminFunctions.register(embeddings, services.transforms(), trained, alone, rowWise);
        MetricFunctions.register(alone, rowWise);
        ChunkFunctions.register(alone, sets);
        AzureSettings settings = new AzureSettings(services.settingsCipher());
        RemoteEmbeddings remoteModels = new RemoteEmbeddings(settings, services.remote());
        EmbedCalls embed = new EmbedCalls(embeddings, remoteModels);
        EmbedFunctions.register(embed, alone, rowWise);
        LocalTransforms localTransforms = new LocalTransforms(services.transforms());
        RankFunctions.register(embed, localTransforms, alone, sets);
        AzureFunctions.register(settings, new AzureMlInvocations(settings, services.remote()), alone, rowWise);
        TuneFunctions.register(new TuneActions(services.tuning(), remoteModels, services.remote(),
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "pgml-sidecar-tune")),
                new Generations(remoteModels, services.remote()), alone, rowWise);
        TransformFunctions.register(new TransformCalls(localTransforms,
                new RemoteTransforms(remoteModels, services.remote())), alone, rowWise, sets);
    }
}
