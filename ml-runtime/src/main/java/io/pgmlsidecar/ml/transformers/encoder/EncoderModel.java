package io.pgmlsidecar.ml.transformers.encoder;

import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.onnx.OnnxEncoder;
import io.pgmlsidecar.ml.store.ModelArtifact;
import io.pgmlsidecar.ml.tokenize.TextTokenizer;
import io.pgmlsidecar.ml.tokenize.TokenSpans;
import io.pgmlsidecar.ml.transformers.PipelineContext;
import io.pgmlsidecar.ml.transformers.TransformerModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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

    private EncoderModel(TransformerModel model, TextTokenizer tokenizer, OnnxEncoder encoder, long weightBytes) {
        this.model = model;
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
            return new EncoderModel(model, tok, enc, bytes);
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

    public long weightBytes() {
        return weightBytes;
    }

    /** One input's slice of the batch outputs, padding removed. */
    public record Row(Map<String, OnnxEncoder.Tensor> batch, int index, int length) {
        /** A {@code [batch, k]} output's row (e.g. classification logits). */
        public float[] vector(String name) {
            OnnxEncoder.Tensor t = batch.get(name);
            int k = (int) (t.data().length / t.shape()[0]);
            return Arrays.copyOfRange(t.data(), index * k, index * k + k);
        }

        /** A {@code [batch, seq]} output's values for this input's tokens (e.g. start_logits). */
        public float[] perToken(String name) {
            OnnxEncoder.Tensor t = batch.get(name);
            int seq = (int) t.shape()[1];
            return Arrays.copyOfRange(t.data(), index * seq, index * seq + length);
        }

        /** A {@code [batch, seq, k]} output's rows for this input's tokens (e.g. token logits, hidden states). */
        public float[][] perTokenVectors(String name) {
            OnnxEncoder.Tensor t = batch.get(name);
            if (t.shape().length != 3) {
                throw new MlException("output " + name + " has shape " + Arrays.toString(t.shape()) + ", expected [batch, seq, k]");
            }
            int seq = (int) t.shape()[1], k = (int) t.shape()[2];
            float[][] out = new float[length][];
            for (int i = 0; i < length; i++) {
                int base = (index * seq + i) * k;
                out[i] = Arrays.copyOfRange(t.data(), base, base + k);
            }
            return out;
        }
    }

    /**
     * Runs {@code inputs} in batches of {@code batchSize}, shortest first so rows of a batch have
     * similar lengths and padding stays small; results come back in input order.
     */
    public List<Row> run(List<TokenSpans> inputs, int batchSize) {
        Row[] rows = new Row[inputs.size()];
        for (int[] batch : LengthBatches.plan(inputs.stream().mapToInt(TokenSpans::length).toArray(), batchSize)) {
            List<long[]> ids = new ArrayList<>(batch.length);
            List<long[]> types = new ArrayList<>(batch.length);
            for (int i : batch) {
                ids.add(inputs.get(i).ids());
                types.add(inputs.get(i).typeIds());
            }
            Map<String, OnnxEncoder.Tensor> out = encoder.runOutputs(ids, types, tokenizer.padId());
            for (int j = 0; j < batch.length; j++) rows[batch[j]] = new Row(out, j, ids.get(j).length);
        }
        return Arrays.asList(rows);
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
