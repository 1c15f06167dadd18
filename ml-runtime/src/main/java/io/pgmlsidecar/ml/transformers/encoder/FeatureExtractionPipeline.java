package io.pgmlsidecar.ml.transformers.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.onnx.OnnxEncoder;
import io.pgmlsidecar.ml.pipelines.LengthBatches;
import io.pgmlsidecar.ml.store.ModelArtifact;
import io.pgmlsidecar.ml.store.ModelSource;
import io.pgmlsidecar.ml.tokenize.TextTokenizer;
import io.pgmlsidecar.ml.tokenize.TokenSpans;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import io.pgmlsidecar.ml.transformers.PipelineContext;
import io.pgmlsidecar.ml.transformers.TaskPipeline;
import io.pgmlsidecar.ml.transformers.TransformerModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code feature-extraction}: the encoder's token vectors ({@code last_hidden_state}), special tokens
 * included. Per input transformers returns a {@code [1, seq, dim]} nested list, so N inputs give
 * {@code [[[[..], ..]], ..]}. Serves model directories and the single-graph embedding models alike.
 */
public final class FeatureExtractionPipeline extends TaskPipeline {
    private static final Set<String> KEYS = Set.of("truncation", "padding", "max_length", "batch_size",
            "tokenize_kwargs", "return_tensors");

    private final TextTokenizer tokenizer;
    private final OnnxEncoder encoder;
    private final long weightBytes;
    private final String name;

    /**
     * Heap per output value: the float from ONNX Runtime and its heap copy (8), a JSON number node and its slot in an
     * array (about 32), its text in the reply (about 20 characters, twice while a builder grows): about 80 bytes.
     */
    private static final long BYTES_PER_VALUE = 80;

    private FeatureExtractionPipeline(String name, TextTokenizer tokenizer, OnnxEncoder encoder, long weightBytes) {
        this.name = name;
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.weightBytes = weightBytes;
    }

    /** From a model directory (model.onnx at the root or under onnx/). */
    public static FeatureExtractionPipeline open(TransformerModel m, PipelineContext context) {
        var onnx = m.requireOnnx("encoder", "model.onnx", "model_quantized.onnx");
        return open(m.name(), ModelArtifact.file(onnx), ModelArtifact.file(m.tokenizerFile()), m.maxLength(),
                m.specialToken("pad_token").orElse(null), "model '" + m.name() + "' (" + m.origin() + ")", context,
                m.onnxBytes());
    }

    /** From a single-graph embedding model (a bundled or stored model without a directory). */
    public static FeatureExtractionPipeline open(ModelSource source, PipelineContext context) {
        return open(source.name(), source.onnx(), source.tokenizer(), source.profile().maxLength(), source.profile().padToken(),
                "model '" + source.name() + "' (" + source.origin() + ")", context, Math.max(0, source.onnx().size()));
    }

    private static FeatureExtractionPipeline open(String name, ModelArtifact onnx, ModelArtifact tokenizerFile, int maxLength,
                                                  String padToken, String what, PipelineContext context, long bytes) {
        TextTokenizer tok = null;
        OnnxEncoder enc = null;
        try {
            tok = TextTokenizer.load(tokenizerFile, maxLength, padToken);
            byte[] graph = onnx.localPath().isPresent() ? null : onnx.readAllBytes();
            enc = new OnnxEncoder(context.sessions().open(onnx, graph), what, false);
            if (enc.pooledOutput()) {
                throw new ModelFormatException(what + " only outputs pooled sentence embeddings ('" + enc.outputName()
                        + "'); feature-extraction needs token vectors (last_hidden_state). Use pgml.embed for this model.");
            }
            return new FeatureExtractionPipeline(name, tok, enc, bytes + Math.max(0, tokenizerFile.size()));
        } catch (IOException e) {
            close(tok, enc);
            throw new MlException("cannot load " + what + ": " + e, e);
        } catch (RuntimeException e) {
            close(tok, enc);
            throw e;
        }
    }

    private static void close(TextTokenizer tok, OnnxEncoder enc) {
        if (enc != null) enc.close();
        if (tok != null) tok.close();
    }

    @Override
    public JsonNode run(List<JsonNode> inputs, PipelineArgs args) {
        args.onlyKeys(KEYS);
        Inputs.requireSome(inputs, "feature-extraction");
        Inputs.checkTruncation(args);
        if (args.bool("return_tensors", false)) {
            throw new InvalidArgumentsException("argument 'return_tensors' must be false: results are JSON lists");
        }
        int max = Inputs.maxLength(args, tokenizer.maxLength());
        JsonNode kwargs = args.raw("tokenize_kwargs");
        if (kwargs != null && !kwargs.isNull()) {
            if (!kwargs.isObject()) throw new InvalidArgumentsException("argument 'tokenize_kwargs' must be an object, got " + kwargs);
            PipelineArgs tk = new PipelineArgs(kwargs, "feature-extraction tokenize_kwargs")
                    .onlyKeys(Set.of("truncation", "padding", "max_length"));
            max = Math.min(max, Inputs.maxLength(tk, tokenizer.maxLength()));
        }
        List<TokenSpans> encoded = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            encoded.add(tokenizer.spans(Inputs.text(inputs.get(i), "feature-extraction", i), null).truncate(max, false));
        }
        checkBudget(encoded);
        JsonNode[] results = new JsonNode[inputs.size()];
        for (int[] batch : LengthBatches.plan(encoded.stream().mapToInt(TokenSpans::length).toArray(), Inputs.batchSize(args))) {
            List<long[]> ids = new ArrayList<>(), types = new ArrayList<>();
            for (int i : batch) {
                ids.add(encoded.get(i).ids());
                types.add(encoded.get(i).typeIds());
            }
            OnnxEncoder.Output o = encoder.run(ids, types, tokenizer.padId());
            for (int b = 0; b < batch.length; b++) {
                ArrayNode one = JsonNodeFactory.instance.arrayNode();
                ArrayNode tokens = one.addArray();
                for (int t = 0; t < ids.get(b).length; t++) {
                    ArrayNode vec = tokens.addArray();
                    int base = (b * o.seq() + t) * o.dim();
                    for (int d = 0; d < o.dim(); d++) vec.add((double) o.data()[base + d]);
                }
                results[batch[b]] = one;
            }
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode r : results) out.add(r);
        return out;
    }

    /**
     * The answer holds every token's vector of every input: refused before the first batch runs when that is over
     * the per-call budget (hidden size unknown: not predicted).
     */
    private void checkBudget(List<TokenSpans> encoded) {
        int dim = encoder.declaredDim();
        if (dim <= 0) return;
        long tokens = 0;
        for (TokenSpans t : encoded) tokens += t.length();
        io.pgmlsidecar.ml.CallMemoryBudget.check("model '" + name + "'", "the token vectors of " + encoded.size()
                + " inputs (" + tokens + " tokens × " + dim + " dimensions)",
                io.pgmlsidecar.ml.CallMemoryBudget.product(tokens, dim, BYTES_PER_VALUE),
                "Pass fewer or shorter inputs (kwarg max_length), or use pgml.embed for one vector per text");
    }

    @Override
    public String device() {
        return encoder.device().toString();
    }

    @Override
    public long weightBytes() {
        return weightBytes;
    }

    @Override
    protected void doClose() {
        close(tokenizer, encoder);
    }
}
