package io.pgmlsidecar.ml.tune;

import io.pgmlsidecar.ml.store.ModelSource;
import java.util.List;

/**
 * The result of {@link ClassificationTuner#tune}: a head trained on the frozen base encoder.
 *
 * @param base       the base model (its graph and tokenizer go into the export)
 * @param pooling    how the encoder output was pooled for the head
 * @param labels     class names by index: the sorted distinct training labels
 * @param pairs      whether the inputs are text pairs
 * @param head       the trained head
 * @param history    everything reported to the listener
 * @param evaluation metrics on the evaluation examples after the last epoch, null without them
 * @param args       the arguments used
 */
public record TunedClassifier(ModelSource base, SentencePooling pooling, List<String> labels, boolean pairs,
                              ClassificationHead head, TrainingHistory history, ClassificationMetrics evaluation,
                              TrainingArguments args) {
    public TunedClassifier {
        labels = List.copyOf(labels);
    }
}
