package io.pgmlsidecar.ml.transformers;

import io.pgmlsidecar.ml.pipelines.TextClassification;
import io.pgmlsidecar.ml.pipelines.TokenClassification;
import java.nio.file.Path;

/**
 * What another engine needs to run a text- or token-classification call exactly as the sidecar's pipeline does: the
 * model's files, how its tokenizer is loaded, and the call's arguments already read (and checked) by the pipeline:
 * exactly one of {@code textHead} and {@code tokenHead}.
 *
 * @param tokenizerMaxLength the model's token limit, as the tokenizer is loaded with it
 * @param truncateAt         each input's token budget ({@code max_length}, capped by the model's)
 * @param batchSize          inputs per ONNX run ({@code batch_size})
 */
public record ClassifierFiles(String model, Path onnx, Path tokenizer, int tokenizerMaxLength, String padToken, int truncateAt,
                              int batchSize, TextClassification textHead, TokenClassification tokenHead) {

    /** The pipeline task these files run. */
    public String task() {
        return textHead != null ? "text-classification" : "token-classification";
    }
}
