package io.pgmlsidecar.planner;

import io.pgmlsidecar.planner.functions.EmbeddingModels;
import io.pgmlsidecar.planner.tabular.DeploymentWatch;

/**
 * What the planner uses from outside itself: the embedding runtime and the watch on deployment
 * changes. {@link #builder()} starts from "none of them".
 */
public record SidecarServices(EmbeddingModels embeddings, DeploymentWatch deployments) {

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private EmbeddingModels embeddings = (model, texts, kwargs) -> {
            throw new io.pgmlsidecar.proxy.intercept.PgException("58000", "no model runtime is configured in this sidecar",
                    "Start the sidecar with its ml-runtime.");
        };
        private DeploymentWatch deployments = DeploymentWatch.NONE;

        public Builder embeddings(EmbeddingModels e) {
            embeddings = e;
            return this;
        }

        public Builder deployments(DeploymentWatch d) {
            deployments = d;
            return this;
        }

        public SidecarServices build() {
            return new SidecarServices(embeddings, deployments);
        }
    }
}
