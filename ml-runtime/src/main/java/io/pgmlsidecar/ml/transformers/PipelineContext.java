package io.pgmlsidecar.ml.transformers;

import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.store.ModelLocator;

/** What a pipeline factory needs: the runtime's settings, where models are, how sessions are opened. */
public record PipelineContext(MlConfig config, ModelLocator locator, OrtSessions sessions) {

    /** Finds and opens a transformer model directory. */
    public TransformerModel model(String name) {
        ModelLocator.Located found = locator.locateDirectory(name);
        return TransformerModel.open(found.name(), found.dir(), found.origin());
    }
}
