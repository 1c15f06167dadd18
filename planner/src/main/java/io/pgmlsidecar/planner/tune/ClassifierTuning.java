package io.pgmlsidecar.planner.tune;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What pgml.tune needs of the model runtime for text classification: train on labelled texts, write
 * the tuned model as a Hugging Face directory, report progress and held-out metrics.
 */
public interface ClassifierTuning {

    /** One example: one text, or two for text pairs. */
    record Example(List<String> texts, String label) {}

    /**
     * @param metrics     held-out metrics ({@code f1}, {@code accuracy}, …)
     * @param ignoredArgs training_args keys accepted but without effect on this engine
     */
    record Tuned(Map<String, Object> metrics, List<String> ignoredArgs) {}

    /**
     * @param logs called per logged step / epoch with HF-style log entries (loss, learning_rate, epoch, step)
     */
    Tuned tune(String baseModel, List<Example> train, List<Example> test, JsonNode trainingArgs, Path outputDir,
               Consumer<Map<String, Object>> logs, BooleanSupplier cancelled);
}
