package io.pgmlsidecar.ml.transformers.encoder;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.pgmlsidecar.ml.transformers.TaskPipeline;

/** A task pipeline over one {@link EncoderModel}: the cache weight and closing are the model's. */
abstract class EncoderTaskPipeline extends TaskPipeline {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    protected final EncoderModel model;
    protected final String task;

    EncoderTaskPipeline(EncoderModel model, String task) {
        this.model = model;
        this.task = task;
    }

    @Override
    public long weightBytes() {
        return model.weightBytes();
    }

    @Override
    public String device() {
        return model.device();
    }

    @Override
    protected void doClose() {
        model.close();
    }
}
