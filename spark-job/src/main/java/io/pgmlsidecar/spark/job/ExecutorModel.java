package io.pgmlsidecar.spark.job;

import io.pgmlsidecar.ml.onnx.Device;
import io.pgmlsidecar.ml.onnx.OnnxEncoder;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.pipelines.Pooling;
import io.pgmlsidecar.ml.pipelines.SentenceVectors;
import io.pgmlsidecar.ml.store.ModelArtifact;
import io.pgmlsidecar.ml.tokenize.TextTokenizer;
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
 * Runtime's thread pool, use the executor's cores. Embeds as the sidecar's EmbeddingPipeline does: prompt, tokenizer,
 * longest-first batches, {@link SentenceVectors} (the sidecar's own code), then the kwargs' truncation and normalization.
 */
final class ExecutorModel {
    private static final ConcurrentHashMap<String, ExecutorModel> LOADED = new ConcurrentHashMap<>();

    private final EmbedSpec.Model spec;
    private final TextTokenizer tokenizer;
    private final OnnxEncoder encoder;
    private final List<Pooling> pooling;

    private ExecutorModel(EmbedSpec.Model spec) throws IOException {
        this.spec = spec;
        this.tokenizer = TextTokenizer.load(ModelArtifact.file(Path.of(spec.tokenizer())), spec.maxLength(), spec.padToken());
        this.encoder = onBigStack(() -> new OnnxEncoder(new OrtSessions(Device.CPU, 1).open(ModelArtifact.file(Path.of(spec.onnx()))),
                "model " + spec.onnx(), spec.preferPooledOutput()));
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

    static ExecutorModel of(EmbedSpec.Model spec) {
        return LOADED.computeIfAbsent(spec.onnx() + "\n" + spec.tokenizer(), k -> {
            try {
                return new ExecutorModel(spec);
            } catch (IOException e) {
                throw new JobFailure("58030", "an executor cannot read the model files " + spec.onnx() + ": " + e.getMessage(),
                        "Every executor needs the sidecar's model files at the same path (a shared models directory).");
            }
        });
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
}
