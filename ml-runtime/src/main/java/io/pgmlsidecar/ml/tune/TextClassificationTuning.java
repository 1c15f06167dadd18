package io.pgmlsidecar.ml.tune;

import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.store.ModelLocator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The entry point of {@code pgml.tune} for text-classification and text-pair-classification:
 * resolves the base model, trains a head on its frozen encoder, writes the Hugging Face directory and
 * returns the test metrics PostgresML stores ({@code {f1, accuracy}}).
 */
public final class TextClassificationTuning {
    private final ModelLocator locator;
    private final ClassificationTuner tuner;

    public TextClassificationTuning(ModelLocator locator, OrtSessions sessions) {
        this.locator = locator;
        this.tuner = new ClassificationTuner(sessions);
    }

    /**
     * @param baseModel Hugging Face name of the base encoder ({@code model_name})
     * @param train     training split
     * @param test      test split (may be empty: then no metrics)
     * @param args      {@code training_args}
     * @param listener  progress (pgml.logs); null for none
     * @param outputDir where the model directory is written
     */
    public record Request(String baseModel, List<LabeledText> train, List<LabeledText> test, TrainingArguments args,
                          TuneListener listener, Path outputDir) {
        public Request {
            Objects.requireNonNull(baseModel, "baseModel");
            Objects.requireNonNull(outputDir, "outputDir");
            test = test == null ? List.of() : test;
            args = args == null ? TrainingArguments.defaults() : args;
        }
    }

    /**
     * @param directory        the exported model directory (model.onnx, config.json, tokenizer files)
     * @param labels           class names by logit index
     * @param metrics          {@code {"f1", "accuracy"}} on the test split after the last epoch; empty without a test split
     * @param testMetrics      the same with the test loss and count; null without a test split
     * @param history          training log (loss, learning rate, epoch, step) and per-epoch evaluations
     * @param ignoredArguments training_args keys that have no effect on this engine (warn about them)
     */
    public record Outcome(Path directory, List<String> labels, Map<String, Double> metrics, ClassificationMetrics testMetrics,
                          TrainingHistory history, List<String> ignoredArguments) {}

    public Outcome tune(Request request) {
        TunedClassifier model = tuner.tune(locator.locate(request.baseModel()), request.train(), request.test(),
                request.args(), request.listener());
        Path dir = OnnxClassifierExport.write(model, request.outputDir());
        ClassificationMetrics m = model.evaluation();
        return new Outcome(dir, model.labels(), m == null ? Map.of() : m.asPgmlMetrics(), m, model.history(),
                request.args().ignored());
    }
}
