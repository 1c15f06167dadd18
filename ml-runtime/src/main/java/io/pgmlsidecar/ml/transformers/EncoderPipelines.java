package io.pgmlsidecar.ml.transformers;

import io.pgmlsidecar.ml.ModelNotFoundException;
import io.pgmlsidecar.ml.transformers.encoder.FeatureExtractionPipeline;
import io.pgmlsidecar.ml.transformers.encoder.FillMaskPipeline;
import io.pgmlsidecar.ml.transformers.encoder.QuestionAnsweringPipeline;
import io.pgmlsidecar.ml.transformers.encoder.TextClassificationPipeline;
import io.pgmlsidecar.ml.transformers.encoder.TokenClassificationPipeline;
import io.pgmlsidecar.ml.transformers.encoder.ZeroShotClassificationPipeline;

/** Opens the pipelines of encoder tasks (classification, token classification, QA, fill-mask, zero-shot, features). */
final class EncoderPipelines {
    private EncoderPipelines() {}

    static TaskPipeline open(TransformTask.Parsed task, String modelName, PipelineContext context) {
        String name = task.task().hfName();
        return switch (task.task()) {
            case TEXT_CLASSIFICATION -> TextClassificationPipeline.open(context.model(modelName), context, name);
            case TOKEN_CLASSIFICATION -> TokenClassificationPipeline.open(context.model(modelName), context, name);
            case QUESTION_ANSWERING -> QuestionAnsweringPipeline.open(context.model(modelName), context, name);
            case FILL_MASK -> FillMaskPipeline.open(context.model(modelName), context, name);
            case ZERO_SHOT_CLASSIFICATION -> ZeroShotClassificationPipeline.open(context.model(modelName), context, name);
            case FEATURE_EXTRACTION -> featureExtraction(modelName, context);
            default -> throw new UnsupportedTaskException("task " + name + " is not an encoder task");
        };
    }

    /** A model directory when there is one, else a single-graph embedding model (e.g. a bundled one). */
    private static TaskPipeline featureExtraction(String modelName, PipelineContext context) {
        TransformerModel m;
        try {
            m = context.model(modelName);
        } catch (ModelNotFoundException e) {
            return FeatureExtractionPipeline.open(context.locator().locate(modelName), context);
        }
        return FeatureExtractionPipeline.open(m, context);
    }
}
