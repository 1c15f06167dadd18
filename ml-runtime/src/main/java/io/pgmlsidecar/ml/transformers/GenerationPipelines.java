package io.pgmlsidecar.ml.transformers;

/** Opens the pipelines of generative tasks (decoder-only and encoder-decoder models). */
final class GenerationPipelines {
    private GenerationPipelines() {}

    static TaskPipeline open(TransformTask.Parsed task, String modelName, PipelineContext context) {
        throw new UnsupportedTaskException("task " + task.task().hfName() + " is not served yet");
    }
}
