package io.pgmlsidecar.testmodels;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an ONNX model (opset 17) and encodes it as protobuf by hand, so tests need neither Python
 * nor the onnx library. Covers what tiny test graphs need: nodes with int / float / ints / tensor
 * attributes, float and int64 initializers, inputs and outputs with fixed or symbolic dimensions.
 *
 * <pre>{@code
 * OnnxGraph g = new OnnxGraph("tiny");
 * g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
 * g.floats("table", table);                       // [vocab, labels]
 * String rows = g.op("Gather", "table", "input_ids");
 * g.op("ReduceSum", List.of(rows, g.longs("axes", 1)), List.of("logits"), Map.of("keepdims", 0L));
 * g.output("logits", OnnxGraph.FLOAT, "batch", 2);
 * byte[] onnx = g.toBytes();
 * }</pre>
 */
public final class OnnxGraph {
    public static final int FLOAT = 1;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int BOOL = 9;
    public static final int OPSET = 17;

    private final String name;
    private final ByteArrayOutputStream nodes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream initializers = new ByteArrayOutputStream();
    private final ByteArrayOutputStream inputs = new ByteArrayOutputStream();
    private final ByteArrayOutputStream outputs = new ByteArrayOutputStream();
    private int counter;

    public OnnxGraph(String name) {
        this.name = name;
    }

    /** A graph input; each dimension is an Integer (fixed) or a String (symbolic). */
    public OnnxGraph input(String name, int elemType, Object... dims) {
        fBytes(inputs, 11, valueInfo(name, elemType, dims));
        return this;
    }

    public OnnxGraph output(String name, int elemType, Object... dims) {
        fBytes(outputs, 12, valueInfo(name, elemType, dims));
        return this;
    }

    /** A float initializer with the given dims; returns its name. */
    public String floats(String name, float[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) b.putFloat(f);
        fBytes(initializers, 5, tensor(name, FLOAT, dims, b.array()));
        return name;
    }

    /** A float matrix initializer {@code [rows, cols]}; returns its name. */
    public String floats(String name, float[][] m) {
        int cols = m.length == 0 ? 0 : m[0].length;
        float[] flat = new float[m.length * cols];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, flat, i * cols, cols);
        return floats(name, flat, m.length, cols);
    }

    /** A float scalar initializer. */
    public String scalar(String name, float value) {
        return floats(name, new float[] {value});
    }

    /** An int64 initializer; with no dims it is a 1-D tensor of the values. */
    public String longs(String name, long[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : data) b.putLong(v);
        long[] d = dims.length == 0 ? new long[] {data.length} : dims;
        fBytes(initializers, 5, tensor(name, INT64, d, b.array()));
        return name;
    }

    /** A 1-D int64 initializer of the given values (handy for axes, shapes, indices). */
    public String longs(String name, long... values) {
        return longs(name, values, new long[] {values.length});
    }

    /** An int64 scalar (0-D) initializer. */
    public String longScalar(String name, long value) {
        return longs(name, new long[] {value}, new long[0]);
    }

    /** A node with one output whose name is generated; returns that name. */
    public String op(String opType, String... in) {
        String out = opType.toLowerCase() + "_" + (counter++);
        op(opType, List.of(in), List.of(out), Map.of());
        return out;
    }

    /** A node with one generated output and attributes; returns that name. */
    public String op(String opType, Map<String, Object> attributes, String... in) {
        String out = opType.toLowerCase() + "_" + (counter++);
        op(opType, List.of(in), List.of(out), attributes);
        return out;
    }

    /**
     * A node. Attribute values: Long/Integer (INT), Float/Double (FLOAT), long[] (INTS), float[]
     * (FLOATS), String (STRING), {@link TensorValue} (TENSOR). An empty input name means "omitted".
     */
    public OnnxGraph op(String opType, List<String> in, List<String> out, Map<String, Object> attributes) {
        ByteArrayOutputStream n = new ByteArrayOutputStream();
        for (String i : in) fString(n, 1, i);
        for (String o : out) fString(n, 2, o);
        fString(n, 3, opType + "_" + (counter++));
        fString(n, 4, opType);
        for (Map.Entry<String, Object> a : new LinkedHashMap<>(attributes).entrySet()) {
            fBytes(n, 5, attribute(a.getKey(), a.getValue()));
        }
        fBytes(nodes, 1, n.toByteArray());
        return this;
    }

    /** A constant tensor attribute value (for Constant / ConstantOfShape). */
    public record TensorValue(int dataType, long[] dims, byte[] raw) {
        public static TensorValue floatScalar(float v) {
            return new TensorValue(FLOAT, new long[] {1}, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
        }

        public static TensorValue longScalar(long v) {
            return new TensorValue(INT64, new long[] {1}, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }
    }

    public byte[] toBytes() {
        ByteArrayOutputStream graph = new ByteArrayOutputStream();
        graph.writeBytes(nodes.toByteArray());
        fString(graph, 2, name);
        graph.writeBytes(initializers.toByteArray());
        graph.writeBytes(inputs.toByteArray());
        graph.writeBytes(outputs.toByteArray());
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        fInt(model, 1, 8); // ir_version
        fString(model, 2, "pgml-sidecar test-models");
        fBytes(model, 7, graph.toByteArray());
        ByteArrayOutputStream opset = new ByteArrayOutputStream();
        fString(opset, 1, "");
        fInt(opset, 2, OPSET);
        fBytes(model, 8, opset.toByteArray());
        return model.toByteArray();
    }

    public Path write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, toBytes());
    }

    // ------------------------------------------------------------------ protobuf encoding

    private static byte[] attribute(String name, Object v) {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        fString(a, 1, name);
        if (v instanceof Long || v instanceof Integer) {
            fInt(a, 3, ((Number) v).longValue());
            fInt(a, 20, 2);
        } else if (v instanceof Float || v instanceof Double) {
            varint(a, (2 << 3) | 5);
            a.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(((Number) v).floatValue()).array());
            fInt(a, 20, 1);
        } else if (v instanceof String s) {
            fString(a, 4, s);
            fInt(a, 20, 3);
        } else if (v instanceof long[] ls) {
            for (long l : ls) fInt(a, 8, l);
            fInt(a, 20, 7);
        } else if (v instanceof float[] fs) {
            for (float f : fs) {
                varint(a, (7 << 3) | 5);
                a.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(f).array());
            }
            fInt(a, 20, 6);
        } else if (v instanceof TensorValue t) {
            fBytes(a, 5, tensor(name + "_value", t.dataType(), t.dims(), t.raw()));
            fInt(a, 20, 4);
        } else {
            throw new IllegalArgumentException("attribute " + name + ": unsupported value " + v);
        }
        return a.toByteArray();
    }

    private static byte[] tensor(String name, int dataType, long[] dims, byte[] raw) {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        for (long d : dims) fInt(t, 1, d);
        fInt(t, 2, dataType);
        fString(t, 8, name);
        fBytes(t, 9, raw);
        return t.toByteArray();
    }

    private static byte[] valueInfo(String name, int elemType, Object... dims) {
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        for (Object d : dims) {
            ByteArrayOutputStream dim = new ByteArrayOutputStream();
            if (d instanceof Number n) fInt(dim, 1, n.longValue());
            else fString(dim, 2, d.toString());
            fBytes(shape, 1, dim.toByteArray());
        }
        ByteArrayOutputStream tensorType = new ByteArrayOutputStream();
        fInt(tensorType, 1, elemType);
        fBytes(tensorType, 2, shape.toByteArray());
        ByteArrayOutputStream type = new ByteArrayOutputStream();
        fBytes(type, 1, tensorType.toByteArray());
        ByteArrayOutputStream vi = new ByteArrayOutputStream();
        fString(vi, 1, name);
        fBytes(vi, 2, type.toByteArray());
        return vi.toByteArray();
    }

    private static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7FL) != 0) {
            o.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }

    private static void fInt(ByteArrayOutputStream o, int field, long v) {
        varint(o, (long) field << 3);
        varint(o, v);
    }

    private static void fBytes(ByteArrayOutputStream o, int field, byte[] b) {
        varint(o, ((long) field << 3) | 2);
        varint(o, b.length);
        o.writeBytes(b);
    }

    private static void fString(ByteArrayOutputStream o, int field, String s) {
        fBytes(o, field, s.getBytes(StandardCharsets.UTF_8));
    }
}
