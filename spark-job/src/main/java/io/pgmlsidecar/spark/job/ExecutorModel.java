package io.pgmlsidecar.spark.job;

import io.pgmlsidecar.ml.onnx.Device;
import io.pgmlsidecar.ml.onnx.OnnxEncoder;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.pipelines.EncoderBatches;
import io.pgmlsidecar.ml.pipelines.EncoderRow;
import io.pgmlsidecar.ml.pipelines.Pooling;
import io.pgmlsidecar.ml.pipelines.TextClassification;
import io.pgmlsidecar.ml.pipelines.TokenClassification;
import io.pgmlsidecar.ml.pipelines.SentenceVectors;
import io.pgmlsidecar.ml.store.ModelArtifact;
import io.pgmlsidecar.ml.tokenize.TextTokenizer;
import io.pgmlsidecar.ml.tokenize.TokenSpans;
import io.pgmlsidecar.ml.tokenize.TokenizedText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model in an executor JVM: loaded once per JVM from the files the sidecar named (tasks of one executor share the
 * session; ONNX Runtime runs concurrent calls on one session), one intra-op thread per task so that tasks, not ONNX
 * Runtime's thread pool, use the executor's cores. Classifies as the sidecar's text-classification pipeline does
 * ({@link #classify}); embeds as the sidecar's EmbeddingPipeline does: prompt, tokenizer,
 * longest-first batches, {@link SentenceVectors} (the sidecar's own code), then the kwargs' truncation and normalization.
 */
final class ExecutorModel {
    private static final ConcurrentHashMap<String, ExecutorModel> LOADED = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BulkSpec.Model spec;
    private final TextTokenizer tokenizer;
    private final OnnxEncoder encoder;
    private final List<Pooling> pooling;

    private ExecutorModel(BulkSpec.Model spec) throws IOException {
        this.spec = spec;
        this.tokenizer = TextTokenizer.load(ModelArtifact.file(Path.of(spec.tokenizer())), spec.maxLength(), spec.padToken());
        String what = "model " + spec.onnx();
        this.encoder = onBigStack(() -> {
            OrtSessions.Opened opened = new OrtSessions(Device.CPU, 1).open(ModelArtifact.file(Path.of(spec.onnx())));
            return spec.classifies() ? OnnxEncoder.withHeads(opened, what, List.of("logits")) : new OnnxEncoder(opened, what, spec.preferPooledOutput());
        });
        this.pooling = spec.pooling().stream().map(Pooling::valueOf).toList();
    }

    /** Work that needs more than a thread's default stack. */
    private interface Load<T> {
        T get() throws IOException;
    }

    /**
     * ONNX Runtime's graph optimization, on Spark's class path, overflows a default (1 MB, and up to 4 MB) Java thread
     * stack and takes the JVM down with SIGSEGV (seen with JDK 17 and 25; the sidecar's class path does not show it):
     * the session is made on a thread of its own with a 64 MB stack. Inference runs fine on the task threads.
     */
    private static <T> T onBigStack(Load<T> load) throws IOException {
        Object[] result = new Object[1];
        Thread t = new Thread(null, () -> {
            try {
                result[0] = load.get();
            } catch (IOException | RuntimeException e) {
                result[0] = e;
            }
        }, "pgml-model-load", 64L << 20);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading the model", e);
        }
        if (result[0] instanceof IOException e) {
            throw e;
        }
        if (result[0] instanceof RuntimeException e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    static ExecutorModel of(BulkSpec.Model spec) {
        return LOADED.computeIfAbsent((spec.classifies() ? "classifier\n" : "embedding\n") + spec.onnx() + "\n" + spec.tokenizer(), k -> {
            try {
                return new ExecutorModel(spec);
            } catch (IOException e) {
                throw new JobFailure("58030", "an executor cannot read the model files " + spec.onnx() + ": " + e.getMessage(),
                        "Every executor needs the sidecar's model files at the same path (a shared models directory).");
            }
        });
    }

    boolean classifies() {
        return spec.classifies();
    }

    /** One vector per text, in order; a null text gives null. */
    float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        List<Integer> index = new ArrayList<>();
        List<String> prompted = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) != null) {
                index.add(i);
                prompted.add(spec.prompt() == null ? texts.get(i) : spec.prompt() + texts.get(i));
            }
        }
        if (index.isEmpty()) {
            return out;
        }
        List<TokenizedText> tokens = tokenizer.encodeAll(prompted);
        Integer[] order = new Integer[tokens.size()];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        Arrays.sort(order, Comparator.comparingInt((Integer k) -> -tokens.get(k).length()));
        for (int start = 0; start < order.length; start += spec.batchSize()) {
            int end = Math.min(order.length, start + spec.batchSize());
            List<TokenizedText> batch = new ArrayList<>(end - start);
            for (int j = start; j < end; j++) {
                batch.add(tokens.get(order[j]));
            }
            List<float[]> vectors = SentenceVectors.run(encoder, batch, tokenizer.padId(), pooling, spec.normalize());
            for (int j = start; j < end; j++) {
                out[index.get(order[j])] = SentenceVectors.postprocess(vectors.get(j - start), spec.truncateDim(), spec.normalizeAfter());
            }
        }
        return out;
    }

    /**
     * One JSON text per text, in order, as the sidecar's text- or token-classification pipeline returns it for a call
     * with that one input: cut to the call's token budget (or read in windows), length-sorted batches through the
     * classification head ({@link EncoderBatches}), then {@link TextClassification} or {@link TokenClassification}
     * (the sidecar's own code). A null text is the sidecar's
     * 22004, as a NULL input of pgml.transform is there.
     */
    String[] classify(List<String> texts) {
        for (String text : texts) {
            if (text == null) {
                throw new JobFailure("22004", "an input of pgml.transform is NULL",
                        "Filter NULL inputs out, e.g. with WHERE text_column IS NOT NULL.");
            }
        }
        String[] out = new String[texts.size()];
        List<com.fasterxml.jackson.databind.JsonNode> results = new ArrayList<>(texts.size());
        if (spec.tokenHead() != null) {
            spec.tokenHead().results(tokenizer, encoder, texts, spec.batchSize()).forEach(results::add);
        } else {
            List<TokenSpans> encoded = new ArrayList<>(texts.size());
            for (String text : texts) {
                encoded.add(tokenizer.spans(text, null).truncate(spec.truncateAt(), false));
            }
            for (EncoderRow row : EncoderBatches.run(encoder, tokenizer.padId(), encoded, spec.batchSize())) {
                results.add(spec.textHead().result(row.vector("logits")));
            }
        }
        try {
            for (int i = 0; i < out.length; i++) {
                // an array of one result: what pgml.transform(…, inputs => ARRAY[text]) gives for the row
                out[i] = JSON.writeValueAsString(JSON.createArrayNode().add(results.get(i)));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
