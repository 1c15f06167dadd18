package io.pgmlsidecar.ml.transformers;

/** Opens the pipelines of encoder tasks (classification, token classification, QA, fill-mask, zero-shot, features). */
final class EncoderPipelines {
    private EncoderPipelines() {}

    static TaskPipeline open(TransformTask.Parsed task, String modelName, PipelineContext context) {
        throw new UnsupportedTaskException("task " + task.task().hfName() + " is not served yet");
    }
}
