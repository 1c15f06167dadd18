package io.pgmlsidecar.planner;

import io.pgmlsidecar.ml.remote.RemoteModels;
import io.pgmlsidecar.ml.transformers.TransformService;
import io.pgmlsidecar.planner.functions.EmbeddingModels;
import io.pgmlsidecar.planner.hostfiles.ServerFiles;
import io.pgmlsidecar.planner.remote.SettingsCipher;
import io.pgmlsidecar.planner.tabular.DeploymentWatch;
import io.pgmlsidecar.planner.tabular.engine.TrainingEngines;
import io.pgmlsidecar.planner.tune.ClassifierTuning;

/**
 * What the planner uses from outside itself: the embedding runtime, the transformer pipelines, the watch on deployment
 * changes, the remote endpoint client, the key that encrypts settings, the rule for files on the host and the training engines. {@link #builder()} starts from "none of them".
 */
public record SidecarServices(EmbeddingModels embeddings, TransformService transforms, ClassifierTuning tuning,
                              DeploymentWatch deployments, RemoteModels remote, SettingsCipher settingsCipher,
                              ServerFiles serverFiles, TrainingEngines trainingEngines,
                              io.pgmlsidecar.planner.bulk.BulkEngines bulkEngines) {

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private EmbeddingModels embeddings = (model, texts, kwargs) -> {
            throw new io.pgmlsidecar.proxy.intercept.PgException("58000", "no model runtime is configured in this sidecar",
                    "Start the sidecar with its ml-runtime.");
        };
        private TransformService transforms;
        private ClassifierTuning tuning;
        private DeploymentWatch deployments = DeploymentWatch.NONE;
        private RemoteModels remote;
        private SettingsCipher settingsCipher;
        private ServerFiles serverFiles = ServerFiles.OFF;
        private TrainingEngines trainingEngines;
        private io.pgmlsidecar.planner.bulk.BulkEngines bulkEngines;

        public Builder embeddings(EmbeddingModels e) {
            embeddings = e;
            return this;
        }

        /** Hugging Face pipelines for pgml.transform / transform_stream; null (the default): none. */
        public Builder transforms(TransformService t) {
            transforms = t;
            return this;
        }

        /** Trains text classifiers for pgml.tune; null (the default): none. */
        public Builder tuning(ClassifierTuning t) {
            tuning = t;
            return this;
        }

        public Builder deployments(DeploymentWatch d) {
            deployments = d;
            return this;
        }

        /** The client of remote model endpoints (azure_ml.invoke, remote embedding models); default: a new one. */
        public Builder remote(RemoteModels r) {
            remote = r;
            return this;
        }

        /** Encrypts settings; null (the default) leaves azure_ai settings unavailable. */
        public Builder settingsCipher(SettingsCipher c) {
            settingsCipher = c;
            return this;
        }

        /** Where privileged roles may read and write files on the sidecar's host; default: nowhere. */
        public Builder serverFiles(ServerFiles f) {
            serverFiles = f;
            return this;
        }

        /** Where pgml.train may send a fit (hyperparams "engine"); default: those on the class path that system properties configure. */
        public Builder trainingEngines(TrainingEngines e) {
            trainingEngines = e;
            return this;
        }

        /** Where UPDATE … SET col = pgml.embed(…) may embed (kwargs "engine"); default: those on the class path that system properties configure. */
        public Builder bulkEngines(io.pgmlsidecar.planner.bulk.BulkEngines e) {
            bulkEngines = e;
            return this;
        }

        public SidecarServices build() {
            return new SidecarServices(embeddings, transforms, tuning, deployments, remote != null ? remote : new RemoteModels(),
                    settingsCipher, serverFiles, trainingEngines != null ? trainingEngines : TrainingEngines.NONE, // the launcher discovers them from its --spark-* options
                    bulkEngines != null ? bulkEngines : io.pgmlsidecar.planner.bulk.BulkEngines.NONE);
        }
    }
}
