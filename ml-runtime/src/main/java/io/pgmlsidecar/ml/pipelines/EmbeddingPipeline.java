package io.pgmlsidecar.ml.pipelines;

import io.pgmlsidecar.ml.CallMemoryBudget;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.ModelInfo;
import io.pgmlsidecar.ml.batch.MicroBatcher;
import io.pgmlsidecar.ml.onnx.OnnxEncoder;
import io.pgmlsidecar.ml.onnx.OnnxGraphs;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.store.CachedModel;
import io.pgmlsidecar.ml.store.ModelProfile;
import io.pgmlsidecar.ml.store.ModelSource;
import io.pgmlsidecar.ml.tokenize.TextTokenizer;
import io.pgmlsidecar.ml.tokenize.TokenizedText;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded sentence-embedding model: tokenizer, ONNX encoder, pooling, normalization, and a
 * {@link MicroBatcher} that merges concurrent callers' texts into shared inference calls.
 * Thread-safe.
 */
public final class EmbeddingPipeline extends CachedModel {
    private static final Logger log = LoggerFactory.getLogger(EmbeddingPipeline.class);

    private final ModelSource source;
    private final ModelProfile profile;
    private final TextTokenizer tokenizer;
    private final OnnxEncoder encoder;
    private final MicroBatcher<TokenizedText, float[]> batcher;
    private final int defaultBatchSize;
    private final boolean oneTextPerCall;
    private final long weight;
    private final long loadMillis;
    private final LongAdder texts = new LongAdder();
    private final LongAdder tokens = new LongAdder();
    private final LongAdder truncated = new LongAdder();
    private volatile int dims;

    private EmbeddingPipeline(ModelSource source, TextTokenizer tokenizer, OnnxEncoder encoder, int batchSize,
                              int maxBatchTexts, Duration maxBatchWait, long loadMillis, boolean oneTextPerCall) {
        this.source = source;
        this.profile = source.profile();
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.defaultBatchSize = batchSize;
        this.oneTextPerCall = oneTextPerCall;
        this.loadMillis = loadMillis;
        long w = Math.max(0, source.onnx().size()) + Math.max(0, source.tokenizer().size()) * 4;
        this.weight = Math.max(w, 1 << 20);
        this.dims = encoder.pooledOutput() || encoder.declaredDim() < 0 ? -1
                : encoder.declaredDim() * profile.pooling().size();
        this.batcher = new MicroBatcher<>(source.name(), oneTextPerCall ? 1 : maxBatchTexts, maxBatchWait, this::runBatch);
    }

    /** Loads tokenizer and ONNX session of {@code source}. */
    public static EmbeddingPipeline load(ModelSource source, OrtSessions sessions, int batchSize, int maxBatchTexts,
                                         Duration maxBatchWait) {
        long t0 = System.nanoTime();
        String what = "model '" + source.name() + "' (" + source.origin() + ")";
        TextTokenizer tok = null;
        OnnxEncoder enc = null;
        try {
            tok = TextTokenizer.load(source.tokenizer(), source.profile().maxLength(), source.profile().padToken());
            boolean extraModules = !source.profile().unsupportedModules().isEmpty();
            // files are memory-mapped by ONNX Runtime; class path resources are read once, here
            byte[] bytes = source.onnx().localPath().isPresent() ? null : source.onnx().readAllBytes();
            boolean quantized = bytes != null ? OnnxGraphs.isDynamicallyQuantized(bytes)
                    : OnnxGraphs.isDynamicallyQuantized(source.onnx());
            enc = new OnnxEncoder(sessions.open(source.onnx(), bytes), what, extraModules);
            bytes = null;
            if (extraModules && !enc.pooledOutput()) {
                throw new ModelFormatException(what + " has sentence-transformers modules after pooling "
                        + source.profile().unsupportedModules() + " that the ONNX graph does not include; export the whole"
                        + " pipeline with: optimum-cli export onnx --library sentence_transformers --model "
                        + source.name() + " <dir>/");
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            EmbeddingPipeline p = new EmbeddingPipeline(source, tok, enc, batchSize, maxBatchTexts, maxBatchWait, ms,
                    quantized);
            log.info("loaded {} on {} in {} ms (max length {}, pooling {}, normalize {}{})", what, enc.device(), ms,
                    source.profile().maxLength(), source.profile().pooling(), source.profile().normalize(),
                    quantized ? ", dynamically quantized: one text per inference call" : "");
            return p;
        } catch (IOException e) {
            closeQuietly(tok, enc);
            throw new MlException("cannot load " + what + ": " + e, e);
        } catch (RuntimeException | Error e) {
            closeQuietly(tok, enc);
            throw e;
        }
    }

    private static void closeQuietly(TextTokenizer tok, OnnxEncoder enc) {
        try {
            if (enc != null) enc.close();
        } catch (RuntimeException ignored) {
            // already failing
        }
        if (tok != null) tok.close();
    }

    public ModelSource source() {
        return source;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Embeds {@code texts}; a null text gives a null vector. Inputs are sorted by length and cut into
     * batches of {@code batch_size} (default from config) that the batcher may merge with other callers'.
     */
    public float[][] embed(List<String> input, EmbedOptions options) {
        float[][] out = new float[input.size()][];
        List<Integer> index = new ArrayList<>(input.size());
        List<String> prompted = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            String t = input.get(i);
            if (t == null) continue;
            index.add(i);
            prompted.add(options.prompt() == null ? t : options.prompt() + t);
        }
        if (index.isEmpty()) return out;
        int batchSize = oneTextPerCall ? 1 : options.batchSize() != null ? options.batchSize() : defaultBatchSize;

        List<int[]> chunks = new ArrayList<>();
        List<CompletableFuture<List<float[]>>> futures = new ArrayList<>();
        try (MicroBatcher.Arrival ignored = batcher.arrive()) {
            List<TokenizedText> toks = tokenizer.encodeAll(prompted);
            Integer[] order = new Integer[toks.size()];
            long tokenCount = 0;
            for (int k = 0; k < order.length; k++) {
                order[k] = k;
                tokenCount += toks.get(k).length();
                if (toks.get(k).truncated()) truncated.increment();
            }
            // longest first, as sentence-transformers does: rows of a batch have similar lengths
            Arrays.sort(order, Comparator.comparingInt((Integer k) -> -toks.get(k).length()));
            for (int start = 0; start < order.length; start += batchSize) {
                int end = Math.min(order.length, start + batchSize);
                int[] chunk = new int[end - start];
                List<TokenizedText> items = new ArrayList<>(chunk.length);
                for (int j = start; j < end; j++) {
                    chunk[j - start] = order[j];
                    items.add(toks.get(order[j]));
                }
                checkBudget(items);
                chunks.add(chunk);
                futures.add(batcher.submit(items, batchSize));
            }
            texts.add(order.length);
            tokens.add(tokenCount);
        }
        for (int c = 0; c < chunks.size(); c++) {
            List<float[]> vectors = join(futures.get(c));
            int[] chunk = chunks.get(c);
            for (int j = 0; j < chunk.length; j++) {
                out[index.get(chunk[j])] = postprocess(vectors.get(j), options);
            }
        }
        return out;
    }

    /**
     * Refuses a batch whose token vectors (texts × longest text's tokens × hidden size, floats, once from ONNX
     * Runtime and once on the heap) would exceed the per-call budget, before anything is allocated or merged with
     * another caller's batch. Hidden size unknown (a graph without a declared dimension): not predicted.
     */
    private void checkBudget(List<TokenizedText> items) {
        int dim = encoder.declaredDim();
        if (dim <= 0) return;
        int longest = 0;
        for (TokenizedText t : items) longest = Math.max(longest, t.length());
        long bytes = CallMemoryBudget.product(items.size(), longest, dim, encoder.pooledOutput() ? 1 : 4L * 2);
        if (encoder.pooledOutput()) bytes = CallMemoryBudget.product(items.size(), dim, 4L * 2);
        CallMemoryBudget.check("model '" + source.name() + "'", "a batch of " + items.size() + " texts × " + longest
                + " tokens × " + dim + " dimensions", bytes, "Embed fewer texts per batch (kwarg batch_size) or shorter "
                + "texts");
    }

    private static float[] postprocess(float[] v, EmbedOptions o) {
        return SentenceVectors.postprocess(v, o.truncateDim(), o.normalize());
    }

    private static List<float[]> join(CompletableFuture<List<float[]>> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new MlException("embedding failed: " + c, c);
        }
    }

    /** Worker side: one inference call for a merged batch; returns pooled (and, per model, normalized) vectors. */
    private List<float[]> runBatch(List<TokenizedText> items) {
        List<float[]> out = SentenceVectors.run(encoder, items, tokenizer.padId(), profile.pooling(), profile.normalize());
        if (dims < 0 && !out.isEmpty()) dims = out.get(0).length;
        return out;
    }

    /** Output dimensions (runs one tiny inference when the graph does not declare them). */
    public int dimensions() {
        int d = dims;
        if (d < 0) {
            embed(List.of(""), EmbedOptions.DEFAULT);
            d = dims;
        }
        return d;
    }

    public ModelInfo info() {
        return new ModelInfo(source.name(), source.origin(), encoder.device().toString(), dims, profile.maxLength(),
                profile.pooling(), profile.normalize(), oneTextPerCall ? 1 : defaultBatchSize, weight, loadMillis,
                batcher.runs(), texts.sum(), tokens.sum(), truncated.sum());
    }

    @Override
    public String device() {
        return encoder.device().toString();
    }

    @Override
    public long weightBytes() {
        return weight;
    }

    @Override
    protected void doClose() {
        batcher.close();
        encoder.close();
        tokenizer.close();
        log.debug("closed model '{}'", source.name());
    }
}
