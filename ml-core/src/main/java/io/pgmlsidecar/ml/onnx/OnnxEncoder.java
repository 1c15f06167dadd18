package io.pgmlsidecar.ml.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A transformer encoder graph (BERT-like, as exported by Optimum or transformers.js): feeds
 * {@code input_ids}, {@code attention_mask} and, when the graph has them, {@code token_type_ids} and
 * {@code position_ids} (by name, int64 or int32), right-padded per batch; reads the token vectors
 * ({@code last_hidden_state} / {@code token_embeddings}) or, for graphs that already pool, a
 * {@code [batch, dim]} output such as {@code sentence_embedding}.
 */
public final class OnnxEncoder implements AutoCloseable {
    private static final Set<String> KNOWN_INPUTS = Set.of("input_ids", "attention_mask", "token_type_ids", "position_ids");

    private final OrtSession session;
    private final Device device;
    private final Map<String, OnnxJavaType> inputs = new HashMap<>();
    private final String output;
    private final boolean pooledOutput;
    private final int declaredDim;
    /** Task-head outputs read by {@link #runOutputs} (logits, start_logits, ...); empty in token-vector mode. */
    private final List<String> headOutputs;

    /** One named float output of a batch, row-major with its shape. */
    public record Tensor(float[] data, long[] shape) {}

    /** Output of one batch: {@code [batch, seq, dim]} token vectors, or {@code [batch, dim]} when {@link #pooled}. */
    public record Output(float[] data, int batch, int seq, int dim, boolean pooled) {}

    public OnnxEncoder(OrtSessions.Opened opened, String what, boolean preferPooledOutput) {
        this(opened, what, preferPooledOutput, List.of());
    }

    /**
     * An encoder with task heads: same inputs as a text encoder, but the outputs read are the named
     * head outputs (e.g. {@code logits}, or {@code start_logits} and {@code end_logits}); see {@link #runOutputs}.
     */
    public static OnnxEncoder withHeads(OrtSessions.Opened opened, String what, List<String> headOutputs) {
        if (headOutputs.isEmpty()) throw new IllegalArgumentException("no head outputs");
        return new OnnxEncoder(opened, what, false, headOutputs);
    }

    private OnnxEncoder(OrtSessions.Opened opened, String what, boolean preferPooledOutput, List<String> headOutputs) {
        this.session = opened.session();
        this.headOutputs = List.copyOf(headOutputs);
        this.device = opened.device();
        try {
            for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                String name = e.getKey();
                if (!KNOWN_INPUTS.contains(name)) {
                    throw new ModelFormatException(what + ": graph input '" + name + "' is not one of a text encoder's "
                            + KNOWN_INPUTS + " (inputs: " + session.getInputNames() + ")");
                }
                OnnxJavaType t = e.getValue().getInfo() instanceof TensorInfo ti ? ti.type : null;
                if (t != OnnxJavaType.INT64 && t != OnnxJavaType.INT32) {
                    throw new ModelFormatException(what + ": graph input '" + name + "' has type " + t + ", expected int64/int32");
                }
                inputs.put(name, t);
            }
            if (!inputs.containsKey("input_ids")) {
                throw new ModelFormatException(what + ": graph has no 'input_ids' input (inputs: " + session.getInputNames() + ")");
            }
            Map<String, NodeInfo> outs = session.getOutputInfo();
            if (!this.headOutputs.isEmpty()) {
                for (String h : this.headOutputs) {
                    if (!outs.containsKey(h)) {
                        throw new ModelFormatException(what + ": graph has no '" + h + "' output (expected "
                                + this.headOutputs + "; outputs: " + outs.keySet() + ")");
                    }
                }
                this.output = this.headOutputs.get(0);
                this.pooledOutput = false;
                this.declaredDim = -1;
                return;
            }
            String chosen = null;
            boolean pooled = false;
            if (preferPooledOutput && outs.containsKey("sentence_embedding")) {
                chosen = "sentence_embedding";
                pooled = true;
            }
            for (String n : List.of("last_hidden_state", "token_embeddings")) {
                if (chosen == null && outs.containsKey(n)) chosen = n;
            }
            if (chosen == null) {
                for (Map.Entry<String, NodeInfo> e : outs.entrySet()) {
                    if (e.getValue().getInfo() instanceof TensorInfo ti && ti.getShape().length == 3) {
                        chosen = e.getKey();
                        break;
                    }
                }
            }
            if (chosen == null && outs.containsKey("sentence_embedding")) {
                chosen = "sentence_embedding";
                pooled = true;
            }
            if (chosen == null) {
                throw new ModelFormatException(what + ": graph has no token-vector output (expected last_hidden_state,"
                        + " token_embeddings or a [batch, seq, dim] tensor; outputs: " + outs.keySet() + ")");
            }
            this.output = chosen;
            this.pooledOutput = pooled;
            long[] shape = outs.get(chosen).getInfo() instanceof TensorInfo ti ? ti.getShape() : new long[0];
            this.declaredDim = shape.length > 0 && shape[shape.length - 1] > 0 ? (int) shape[shape.length - 1] : -1;
        } catch (OrtException e) {
            throw new ModelFormatException(what + ": cannot read graph inputs/outputs: " + e.getMessage(), e);
        }
    }

    public Device device() {
        return device;
    }

    public String outputName() {
        return output;
    }

    public boolean pooledOutput() {
        return pooledOutput;
    }

    /** Hidden size from the graph's declared output shape, or -1 when dynamic. */
    public int declaredDim() {
        return declaredDim;
    }

    public Set<String> inputNames() {
        return Set.copyOf(inputs.keySet());
    }

    /**
     * Runs one batch.
     *
     * @param ids     token ids per row (unpadded, each at least one token)
     * @param typeIds token type ids per row (same lengths), or null for zeros
     * @param padId   id used for padding positions
     */
    public Output run(List<long[]> ids, List<long[]> typeIds, long padId) {
        int batch = ids.size();
        List<OnnxTensor> tensors = new ArrayList<>(4);
        try {
            Map<String, OnnxTensor> feed = feed(ids, typeIds, padId, tensors);
            int seq = (int) feed.get("input_ids").getInfo().getShape()[1];
            try (OrtSession.Result result = session.run(feed, Set.of(output))) {
                OnnxValue v = result.get(0);
                if (!(v instanceof OnnxTensor t)) throw new MlException("output " + output + " is not a tensor");
                long[] os = t.getInfo().getShape();
                FloatBuffer fb = t.getFloatBuffer();
                if (fb == null) throw new MlException("output " + output + " has type " + t.getInfo().type + ", expected float");
                float[] data = new float[fb.remaining()];
                fb.get(data);
                if (pooledOutput || os.length == 2) {
                    return new Output(data, batch, 1, (int) os[os.length - 1], true);
                }
                if (os.length != 3 || os[0] != batch || os[1] != seq) {
                    throw new MlException("output " + output + " has shape " + java.util.Arrays.toString(os)
                            + ", expected [" + batch + ", " + seq + ", dim]");
                }
                return new Output(data, batch, seq, (int) os[2], false);
            }
        } catch (OrtException e) {
            throw new MlException("ONNX Runtime inference failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : tensors) t.close();
        }
    }

    /**
     * Runs one batch of an encoder opened {@link #withHeads}: the head outputs by name, each with the
     * batch as its first dimension and the padded sequence length as its second where it is per token.
     */
    public Map<String, Tensor> runOutputs(List<long[]> ids, List<long[]> typeIds, long padId) {
        if (headOutputs.isEmpty()) throw new IllegalStateException("encoder was not opened with head outputs");
        List<OnnxTensor> tensors = new ArrayList<>(4);
        try {
            Map<String, OnnxTensor> feed = feed(ids, typeIds, padId, tensors);
            try (OrtSession.Result result = session.run(feed, new java.util.LinkedHashSet<>(headOutputs))) {
                Map<String, Tensor> out = new java.util.LinkedHashMap<>();
                for (String name : headOutputs) {
                    OnnxValue v = result.get(name).orElseThrow(() -> new MlException("output " + name + " missing"));
                    if (!(v instanceof OnnxTensor t)) throw new MlException("output " + name + " is not a tensor");
                    FloatBuffer fb = t.getFloatBuffer();
                    if (fb == null) throw new MlException("output " + name + " has type " + t.getInfo().type + ", expected float");
                    float[] data = new float[fb.remaining()];
                    fb.get(data);
                    long[] shape = t.getInfo().getShape();
                    if (shape.length == 0 || shape[0] != ids.size()) {
                        throw new MlException("output " + name + " has shape " + java.util.Arrays.toString(shape)
                                + ", expected the batch (" + ids.size() + ") first");
                    }
                    out.put(name, new Tensor(data, shape));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new MlException("ONNX Runtime inference failed: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : tensors) t.close();
        }
    }

    /** The graph's inputs for a right-padded batch; created tensors are added to {@code track} for closing. */
    private Map<String, OnnxTensor> feed(List<long[]> ids, List<long[]> typeIds, long padId, List<OnnxTensor> track)
            throws OrtException {
        int batch = ids.size();
        int seq = 1;
        for (long[] r : ids) seq = Math.max(seq, r.length);
        long[] shape = {batch, seq};
        long[] idBuf = new long[batch * seq];
        long[] mask = new long[batch * seq];
        long[] types = inputs.containsKey("token_type_ids") ? new long[batch * seq] : null;
        long[] pos = inputs.containsKey("position_ids") ? new long[batch * seq] : null;
        for (int b = 0; b < batch; b++) {
            long[] r = ids.get(b);
            int base = b * seq;
            java.util.Arrays.fill(idBuf, base, base + seq, padId);
            System.arraycopy(r, 0, idBuf, base, r.length);
            java.util.Arrays.fill(mask, base, base + r.length, 1L);
            if (types != null && typeIds != null) System.arraycopy(typeIds.get(b), 0, types, base, r.length);
            if (pos != null) for (int t = 0; t < seq; t++) pos[base + t] = t;
        }
        OrtEnvironment env = OrtSessions.environment();
        Map<String, OnnxTensor> feed = new HashMap<>();
        feed.put("input_ids", tensor(env, "input_ids", idBuf, shape, track));
        if (inputs.containsKey("attention_mask")) feed.put("attention_mask", tensor(env, "attention_mask", mask, shape, track));
        if (types != null) feed.put("token_type_ids", tensor(env, "token_type_ids", types, shape, track));
        if (pos != null) feed.put("position_ids", tensor(env, "position_ids", pos, shape, track));
        return feed;
    }

    private OnnxTensor tensor(OrtEnvironment env, String name, long[] data, long[] shape, List<OnnxTensor> track)
            throws OrtException {
        OnnxTensor t;
        if (inputs.get(name) == OnnxJavaType.INT32) {
            int[] ints = new int[data.length];
            for (int i = 0; i < data.length; i++) ints[i] = Math.toIntExact(data[i]);
            t = OnnxTensor.createTensor(env, IntBuffer.wrap(ints), shape);
        } else {
            t = OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape);
        }
        track.add(t);
        return t;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new MlException("closing ONNX Runtime session failed: " + e.getMessage(), e);
        }
    }
}
