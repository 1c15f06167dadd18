package io.pgmlsidecar.ml.transformers.generation;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The past key/value tensors of a decoding, by graph input name ({@code past_key_values.*}). A step's
 * {@code present.*} outputs are fed back as the next step's past without copying: the cache keeps the
 * step's result open until the tensors it holds are replaced. Tensors are copied only when rows are
 * selected (beam search) or when a tensor outlives its result (an encoder cache that the with-past
 * decoder does not output again).
 */
final class PastCache implements AutoCloseable {
    static final String PAST = "past_key_values";
    static final String PRESENT = "present";

    private final Map<String, OnnxTensor> values = new LinkedHashMap<>();
    private final Map<String, AutoCloseable> ownerOf = new HashMap<>();

    /** The past input names of a session, in graph order. */
    static List<String> pastInputs(OrtSession session) throws OrtException {
        List<String> out = new ArrayList<>();
        for (String n : session.getInputInfo().keySet()) if (n.startsWith(PAST)) out.add(n);
        return out;
    }

    /** The past input that a present output feeds ({@code present.0.key} → {@code past_key_values.0.key}). */
    static String pastNameOf(String output) {
        if (output.startsWith(PRESENT + "_key_values")) return PAST + output.substring((PRESENT + "_key_values").length());
        if (output.startsWith(PRESENT)) return PAST + output.substring(PRESENT.length());
        return null;
    }

    /**
     * Empty past tensors (length 0 along the sequence axis) for {@code rows} rows, shaped after the graph's
     * declared input; {@code dimFallback} gives the head count (axis 1) and head size (axis 3) where the
     * graph leaves them symbolic.
     */
    void fillEmpty(OrtSession session, List<String> names, int rows, int[] dimFallback) throws OrtException {
        Map<String, NodeInfo> info = session.getInputInfo();
        for (String n : names) {
            TensorInfo t = (TensorInfo) info.get(n).getInfo();
            long[] declared = t.getShape();
            if (declared.length != 4) {
                throw new ModelFormatException("past input " + n + " has " + declared.length + " dimensions; expected"
                        + " [batch, heads, sequence, head_size]");
            }
            long[] shape = new long[4];
            shape[0] = rows;
            shape[2] = 0;
            for (int axis : new int[] {1, 3}) {
                shape[axis] = declared[axis] > 0 ? declared[axis] : dimFallback[axis == 1 ? 0 : 1];
                if (shape[axis] <= 0) {
                    throw new ModelFormatException("cannot tell the " + (axis == 1 ? "head count" : "head size")
                            + " of past input " + n + ": the graph leaves it symbolic and config.json does not say");
                }
            }
            put(n, OnnxTensor.createTensor(env(), ByteBuffer.allocateDirect(0), shape, t.type), null);
        }
    }

    /** Takes the {@code present.*} outputs of a step; past inputs it does not output keep their value. */
    /**
     * Takes a decoder step's result: its last-position logits, and its present.* tensors as the next
     * past (the result is closed when they are). Fails when the graph does not give a present for
     * every past input.
     */
    float[][] absorb(OrtSession.Result result, Set<String> wanted, String missingPresent) {
        float[][] logits;
        try {
            logits = OrtRuns.lastLogits(result);
        } catch (RuntimeException e) {
            closeQuietly(result);
            throw e;
        }
        update(result, wanted);
        if (tensors().size() != wanted.size()) {
            throw new io.pgmlsidecar.ml.ModelFormatException(missingPresent);
        }
        return logits;
    }

    void update(OrtSession.Result result, Set<String> wanted) {
        Map<String, OnnxTensor> fresh = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
            String past = pastNameOf(e.getKey());
            if (past != null && wanted.contains(past)) fresh.put(past, (OnnxTensor) e.getValue());
        }
        if (fresh.isEmpty()) {
            closeQuietly(result);
            return;
        }
        Set<AutoCloseable> oldOwners = identitySet(ownerOf.values());
        for (String n : List.copyOf(values.keySet())) {
            if (!fresh.containsKey(n) && ownerOf.get(n) != values.get(n)) {
                // kept, but the result holding it is about to close: take a copy of its own
                OnnxTensor copy = gather(values.get(n), null);
                values.put(n, copy);
                ownerOf.put(n, copy);
            }
        }
        for (Map.Entry<String, OnnxTensor> e : fresh.entrySet()) {
            values.put(e.getKey(), e.getValue());
            ownerOf.put(e.getKey(), result);
        }
        Set<AutoCloseable> live = identitySet(ownerOf.values());
        for (AutoCloseable o : oldOwners) if (!live.contains(o)) closeQuietly(o);
    }

    private static Set<AutoCloseable> identitySet(java.util.Collection<AutoCloseable> items) {
        Set<AutoCloseable> s = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(items);
        return s;
    }

    /** Row {@code i} becomes old row {@code sources[i]} in every tensor. */
    void select(int[] sources) {
        Set<AutoCloseable> old = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        old.addAll(ownerOf.values());
        for (String n : List.copyOf(values.keySet())) {
            OnnxTensor t = gather(values.get(n), sources);
            values.put(n, t);
            ownerOf.put(n, t);
        }
        old.forEach(PastCache::closeQuietly);
    }

    Map<String, OnnxTensor> tensors() {
        return values;
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    /** A copy of {@code t} with rows (first axis) {@code sources}, or all rows when null. */
    static OnnxTensor gather(OnnxTensor t, int[] sources) {
        try {
            TensorInfo info = t.getInfo();
            long[] shape = info.getShape().clone();
            ByteBuffer src = t.getByteBuffer().order(ByteOrder.nativeOrder());
            int rowBytes = shape[0] == 0 ? 0 : (int) (src.remaining() / shape[0]);
            int rows = sources == null ? (int) shape[0] : sources.length;
            ByteBuffer dst = ByteBuffer.allocateDirect(rowBytes * rows).order(ByteOrder.nativeOrder());
            for (int i = 0; i < rows; i++) {
                int from = sources == null ? i : sources[i];
                dst.put(dst.position(), src, from * rowBytes, rowBytes);
                dst.position(dst.position() + rowBytes);
            }
            dst.rewind();
            shape[0] = rows;
            return OnnxTensor.createTensor(env(), dst, shape, info.type);
        } catch (OrtException e) {
            throw new MlException("cannot copy tensor: " + e.getMessage(), e);
        }
    }

    private void put(String name, OnnxTensor t, AutoCloseable owner) {
        values.put(name, t);
        ownerOf.put(name, owner == null ? t : owner);
    }

    static OrtEnvironment env() {
        return OrtEnvironment.getEnvironment();
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // native memory is released; nothing else to do
        }
    }

    @Override
    public void close() {
        Set<AutoCloseable> owners = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        owners.addAll(ownerOf.values());
        owners.forEach(PastCache::closeQuietly);
        values.clear();
        ownerOf.clear();
    }
}
