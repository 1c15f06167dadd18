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

    /** Output of one batch: {@code [batch, seq, dim]} token vectors, or {@code [batch, dim]} when {@link #pooled}. */
    public record Output(float[] data, int batch, int seq, int dim, boolean pooled) {}

    public OnnxEncoder(OrtSessions.Opened opened, String what, boolean preferPooledOutput) {
        this.session = opened.session();
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
        List<OnnxTensor> tensors = new ArrayList<>(4);
        try {
            Map<String, OnnxTensor> feed = new HashMap<>();
            feed.put("input_ids", tensor(env, "input_ids", idBuf, shape, tensors));
            if (inputs.containsKey("attention_mask")) feed.put("attention_mask", tensor(env, "attention_mask", mask, shape, tensors));
            if (types != null) feed.put("token_type_ids", tensor(env, "token_type_ids", types, shape, tensors));
            if (pos != null) feed.put("position_ids", tensor(env, "position_ids", pos, shape, tensors));
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
