package io.pgmlsidecar.ml.transformers;

import io.pgmlsidecar.ml.transformers.generation.GenerativePipeline;

/** Opens the pipelines of generative tasks (decoder-only and encoder-decoder models). */
final class GenerationPipelines {
    private GenerationPipelines() {}

    static TaskPipeline open(TransformTask.Parsed task, String modelName, PipelineContext context) {
        return GenerativePipeline.open(task, modelName, context);
    }
}
