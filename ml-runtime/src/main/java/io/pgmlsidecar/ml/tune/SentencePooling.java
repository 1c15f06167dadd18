package io.pgmlsidecar.ml.tune;

import io.pgmlsidecar.ml.pipelines.Pooling;
import java.util.List;

/**
 * How the frozen encoder's output becomes the head's input vector; the same description drives the
 * Java computation during training and the ONNX nodes of the export, so both compute the same thing.
 *
 * @param encoderOutput the encoder graph output that is read ({@code last_hidden_state}, or a pooled
 *                      {@code sentence_embedding})
 * @param pooledOutput  whether that output is already {@code [batch, dim]} (then {@code modes} is not applied)
 * @param modes         pooling modes, concatenated in this order
 * @param normalize     L2 normalization after pooling (sentence-transformers {@code Normalize})
 * @param hiddenSize    width of the encoder output
 */
public record SentencePooling(String encoderOutput, boolean pooledOutput, List<Pooling> modes, boolean normalize,
                              int hiddenSize) {
    /** Modes the ONNX export can express. */
    static final List<Pooling> EXPORTABLE = List.of(Pooling.CLS, Pooling.MEAN, Pooling.MEAN_SQRT_LEN);

    public SentencePooling {
        modes = List.copyOf(modes);
    }

    /** Width of the pooled vector (the head's input). */
    public int vectorSize() {
        return pooledOutput ? hiddenSize : hiddenSize * modes.size();
    }
}
