package io.pgmlsidecar.ml.transformers.encoder;

import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.onnx.OnnxEncoder;
import io.pgmlsidecar.ml.pipelines.EncoderBatches;
import io.pgmlsidecar.ml.pipelines.EncoderRow;
import io.pgmlsidecar.ml.pipelines.TextClassification;
import io.pgmlsidecar.ml.pipelines.TokenClassification;
import io.pgmlsidecar.ml.store.ModelArtifact;
import io.pgmlsidecar.ml.tokenize.TextTokenizer;
import io.pgmlsidecar.ml.tokenize.TokenSpans;
import io.pgmlsidecar.ml.transformers.ClassifierFiles;
import io.pgmlsidecar.ml.transformers.PipelineContext;
import io.pgmlsidecar.ml.transformers.TransformerModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An encoder with a task head loaded from a model directory: its config, its tokenizer and its
 * ONNX session. Runs encoded inputs in length-sorted batches and hands back per-input outputs in
 * input order.
 */
public final class EncoderModel implements AutoCloseable {
    /** Inputs per ONNX run when the call does not say (HF's default is 1; batching only saves time). */
    public static final int DEFAULT_BATCH_SIZE = 8;

    private final TransformerModel model;
    private final TextTokenizer tokenizer;
    private final OnnxEncoder encoder;
    private final long weightBytes;
    private final Path onnx;

    private EncoderModel(TransformerModel model, TextTokenizer tokenizer, OnnxEncoder encoder, long weightBytes, Path onnx) {
        this.model = model;
        this.onnx = onnx;
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.weightBytes = weightBytes;
    }

    /** Opens {@code model.onnx} (root or onnx/) of {@code model} reading the given head outputs. */
    public static EncoderModel open(TransformerModel model, PipelineContext context, List<String> headOutputs) {
        Path onnx = model.requireOnnx("task-head", "model.onnx", "model_quantized.onnx");
        TextTokenizer tok = null;
        try {
            tok = TextTokenizer.load(ModelArtifact.file(model.tokenizerFile()), model.maxLength(),
                    model.specialToken("pad_token").orElse(null));
            String what = "model '" + model.name() + "' (" + model.origin() + ")";
            OnnxEncoder enc = OnnxEncoder.withHeads(context.sessions().open(ModelArtifact.file(onnx)), what, headOutputs);
            long bytes = model.onnxBytes() + Files.size(model.tokenizerFile());
            return new EncoderModel(model, tok, enc, bytes, onnx);
        } catch (IOException e) {
            if (tok != null) tok.close();
            throw new MlException("cannot load model '" + model.name() + "': " + e, e);
        } catch (RuntimeException e) {
            if (tok != null) tok.close();
            throw e;
        }
    }

    public TransformerModel model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The files another engine opens to run this model as it runs here, with a call's arguments as a pipeline read them
     * (one of the two heads).
     */
    ClassifierFiles files(int truncateAt, int batchSize, TextClassification textHead, TokenClassification tokenHead) {
        return new ClassifierFiles(model.name(), onnx, model.tokenizerFile(), model.maxLength(), model.specialToken("pad_token").orElse(null),
                truncateAt, batchSize, textHead, tokenHead);
    }

    /** The graph with its heads, for code that batches itself (ml-core's TokenClassification). */
    OnnxEncoder encoder() {
        return encoder;
    }

    public long weightBytes() {
        return weightBytes;
    }

    /**
     * Runs {@code inputs} in batches of {@code batchSize}, shortest first so rows of a batch have
     * similar lengths and padding stays small; results come back in input order.
     */
    public List<EncoderRow> run(List<TokenSpans> inputs, int batchSize) {
        return EncoderBatches.run(encoder, tokenizer.padId(), inputs, batchSize);
    }

    @Override
    public void close() {
        try {
            encoder.close();
        } finally {
            tokenizer.close();
        }
    }

    /** Where the encoder runs ({@code cpu}, {@code cuda:0}). */
    String device() {
        return encoder.device().toString();
    }
}
