package io.pgmlsidecar.ml.tune;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.store.ModelArtifact;
import io.pgmlsidecar.ml.tokenize.TextTokenizer;
import io.pgmlsidecar.ml.tokenize.TokenizedText;
import java.io.IOException;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs an exported classifier directory as a text-classification pipeline would: tokenizes (pairs as
 * tokenizer pairs), pads each batch on the right, feeds the graph and reads {@code logits}. Used to
 * check an export and to score held-out data through the exact graph that will be served.
 */
public final class ExportedClassifier implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 32;

    private final TextTokenizer tokenizer;
    private final OrtSession session;
    private final Map<String, OnnxJavaType> inputs = new HashMap<>();
    private final List<String> labels = new ArrayList<>();

    private ExportedClassifier(TextTokenizer tokenizer, OrtSession session, JsonNode config) throws OrtException {
        this.tokenizer = tokenizer;
        this.session = session;
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            inputs.put(e.getKey(), e.getValue().getInfo() instanceof TensorInfo ti ? ti.type : OnnxJavaType.INT64);
        }
        JsonNode id2label = config.path("id2label");
        for (int i = 0; id2label.has(Integer.toString(i)); i++) labels.add(id2label.get(Integer.toString(i)).asText());
    }

    public static ExportedClassifier open(Path dir, OrtSessions sessions) {
        TextTokenizer tok = null;
        try {
            JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
            JsonNode tokConfig = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
            int maxLength = tokConfig.path("model_max_length").asInt(512);
            String pad = tokConfig.path("pad_token").isTextual() ? tokConfig.get("pad_token").asText() : null;
            tok = TextTokenizer.load(ModelArtifact.file(dir.resolve("tokenizer.json")), maxLength, pad);
            OrtSession s = sessions.open(ModelArtifact.file(dir.resolve("model.onnx"))).session();
            return new ExportedClassifier(tok, s, config);
        } catch (IOException | OrtException e) {
            if (tok != null) tok.close();
            throw new MlException("cannot open the classifier in " + dir + ": " + e.getMessage(), e);
        }
    }

    public List<String> labels() {
        return List.copyOf(labels);
    }

    /** Logits {@code [n, num_labels]} of the examples (their labels are not used). */
    public float[][] logits(List<LabeledText> examples) {
        float[][] out = new float[examples.size()][];
        for (int start = 0; start < examples.size(); start += BATCH) {
            TuningCancelledException.checkInterrupt();
            List<TokenizedText> batch = new ArrayList<>();
            for (LabeledText e : examples.subList(start, Math.min(examples.size(), start + BATCH))) {
                batch.add(e.isPair() ? tokenizer.encodePair(e.text(), e.textPair()) : tokenizer.encode(e.text()));
            }
            float[][] l = run(batch);
            System.arraycopy(l, 0, out, start, l.length);
        }
        return out;
    }

    /** Accuracy and f1 of the graph's predictions against the examples' labels. */
    public ClassificationMetrics evaluate(List<LabeledText> examples) {
        float[][] logits = logits(examples);
        int[] predicted = new int[logits.length], actual = new int[logits.length];
        for (int i = 0; i < logits.length; i++) {
            int best = 0;
            for (int c = 1; c < logits[i].length; c++) if (logits[i][c] > logits[i][best]) best = c;
            predicted[i] = best;
            actual[i] = labels.indexOf(examples.get(i).label());
            if (actual[i] < 0) throw new TuneException("label '" + examples.get(i).label() + "' is not one of " + labels);
        }
        return ClassificationMetrics.of(predicted, actual, labels.size(), Double.NaN);
    }

    private float[][] run(List<TokenizedText> batch) {
        int n = batch.size(), seq = 1;
        for (TokenizedText t : batch) seq = Math.max(seq, t.length());
        long[] ids = new long[n * seq], mask = new long[n * seq], types = new long[n * seq];
        java.util.Arrays.fill(ids, tokenizer.padId());
        for (int b = 0; b < n; b++) {
            TokenizedText t = batch.get(b);
            System.arraycopy(t.ids(), 0, ids, b * seq, t.length());
            System.arraycopy(t.typeIds(), 0, types, b * seq, t.length());
            java.util.Arrays.fill(mask, b * seq, b * seq + t.length(), 1L);
        }
        long[] positions = new long[n * seq];
        for (int i = 0; i < positions.length; i++) positions[i] = i % seq;
        Map<String, long[]> data = Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types,
                "position_ids", positions);
        long[] shape = {n, seq};
        List<OnnxTensor> tensors = new ArrayList<>();
        try {
            Map<String, OnnxTensor> feed = new HashMap<>();
            for (Map.Entry<String, OnnxJavaType> in : inputs.entrySet()) {
                long[] values = data.get(in.getKey());
                if (values == null) throw new MlException("unexpected graph input " + in.getKey());
                OnnxTensor t;
                if (in.getValue() == OnnxJavaType.INT32) {
                    int[] ints = new int[values.length];
                    for (int i = 0; i < ints.length; i++) ints[i] = (int) values[i];
                    t = OnnxTensor.createTensor(OrtSessions.environment(), IntBuffer.wrap(ints), shape);
                } else {
                    t = OnnxTensor.createTensor(OrtSessions.environment(), LongBuffer.wrap(values), shape);
                }
                tensors.add(t);
                feed.put(in.getKey(), t);
            }
            try (OrtSession.Result r = session.run(feed, Set.of(ClassifierHeadNodes.OUTPUT))) {
                return (float[][]) r.get(0).getValue();
            }
        } catch (OrtException e) {
            throw new MlException("classifier inference failed: " + e.getMessage(), e);
        } finally {
            tensors.forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new MlException("closing the classifier session failed: " + e.getMessage(), e);
        } finally {
            tokenizer.close();
        }
    }
}
