package io.pgmlsidecar.ml.tune;

import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.pipelines.Pooling;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The GraphProto fields appended to an encoder graph: pooling over the attention mask, optional L2
 * normalization and the linear head, ending in the graph output {@code logits [batch, num_labels]}.
 *
 * <p>Only ops whose signatures have not changed since opset 8 are used (Cast, Reshape, MatMul, Gather,
 * Mul, Div, Max, Sqrt, Add, Concat): sums over the sequence are MatMuls with the mask as a row
 * vector instead of ReduceSum/Unsqueeze, whose axes moved from attribute to input in opset 13. So the
 * same nodes are valid for every base graph with opset 8 or newer.
 */
final class ClassifierHeadNodes {
    static final String OUTPUT = "logits";
    static final long MIN_OPSET = 8;
    private static final String P = "pgml_tune/";
    private static final int FLOAT = 1, INT64 = 7;

    private final ProtoWriter graph = new ProtoWriter();
    private final List<String> initializers = new ArrayList<>();
    private int counter;

    /** The appended graph bytes for {@code head} on top of the encoder's {@code pooling}. */
    static byte[] build(SentencePooling pooling, ClassificationHead head, List<String> graphInputs, long opset) {
        if (opset < MIN_OPSET) {
            throw new ModelFormatException("the base model's ONNX graph uses opset " + opset
                    + "; the classifier export needs opset " + MIN_OPSET + " or newer");
        }
        ClassifierHeadNodes g = new ClassifierHeadNodes();
        String vector = g.pool(pooling, graphInputs);
        if (pooling.normalize()) vector = g.normalize(vector, pooling.vectorSize());
        g.head(vector, head);
        return g.graph.toByteArray();
    }

    private String pool(SentencePooling pooling, List<String> graphInputs) {
        String hidden = pooling.encoderOutput();
        if (pooling.pooledOutput()) return hidden;
        List<String> parts = new ArrayList<>();
        String maskRow = null, count = null;
        for (Pooling mode : pooling.modes()) {
            if (mode == Pooling.CLS) {
                // hidden[:, 0, :]
                parts.add(node("Gather", List.of(hidden, longs("index0", new long[0], 0)), attr("axis", 1)));
                continue;
            }
            if (maskRow == null) {
                if (!graphInputs.contains("attention_mask")) {
                    throw new ModelFormatException("the base model's graph has no attention_mask input; mean pooling needs it");
                }
                String maskF = node("Cast", List.of("attention_mask"), attr("to", FLOAT));
                maskRow = node("Reshape", List.of(maskF, longs("shape_b1s", new long[] {3}, 0, 1, -1)));          // [B,1,S]
                String maskCol = node("Reshape", List.of(maskF, longs("shape_bs1", new long[] {3}, 0, -1, 1)));   // [B,S,1]
                String tokens = node("Reshape", List.of(node("MatMul", List.of(maskRow, maskCol)),
                        longs("shape_b1", new long[] {2}, 0, -1)));                                               // [B,1]
                // sentence-transformers clamps the token count at 1e-9
                count = node("Max", List.of(tokens, floats("min_count", new long[] {1}, 1e-9f)));
            }
            String sum = node("Reshape", List.of(node("MatMul", List.of(maskRow, hidden)),
                    longs("shape_bd", new long[] {2}, 0, -1)));                                                   // [B,D]
            String divisor = mode == Pooling.MEAN ? count : node("Sqrt", List.of(count));
            parts.add(node("Div", List.of(sum, divisor)));
        }
        return parts.size() == 1 ? parts.get(0) : node("Concat", parts, attr("axis", 1));
    }

    /** v / max(||v||, 1e-12), as torch.nn.functional.normalize. */
    private String normalize(String v, int size) {
        float[] ones = new float[size];
        java.util.Arrays.fill(ones, 1f);
        String squares = node("Mul", List.of(v, v));
        String norm = node("Sqrt", List.of(node("MatMul", List.of(squares, floats("ones", new long[] {size, 1}, ones)))));
        return node("Div", List.of(v, node("Max", List.of(norm, floats("min_norm", new long[] {1}, 1e-12f)))));
    }

    private void head(String v, ClassificationHead head) {
        int in = head.inputSize(), labels = head.numLabels();
        float[] wt = new float[in * labels]; // [in, labels]: transposed for MatMul
        for (int c = 0; c < labels; c++) {
            double[] row = head.weightRow(c);
            for (int j = 0; j < in; j++) wt[j * labels + c] = (float) row[j];
        }
        float[] b = new float[labels];
        for (int c = 0; c < labels; c++) b[c] = (float) head.bias()[c];
        String product = node("MatMul", List.of(v, floats("classifier.weight", new long[] {in, labels}, wt)));
        ProtoWriter add = nodeProto("Add", List.of(product, floats("classifier.bias", new long[] {labels}, b)), List.of(OUTPUT));
        graph.messageField(EncoderGraphScan.GRAPH_NODE, add);
        graph.messageField(EncoderGraphScan.GRAPH_OUTPUT, valueInfo(OUTPUT, labels));
    }

    // ---------------------------------------------------------------- protobuf pieces

    private record Attr(String name, long value) {}

    private static Attr attr(String name, long value) {
        return new Attr(name, value);
    }

    private String node(String op, List<String> inputs, Attr... attrs) {
        String out = P + op.toLowerCase() + "_" + counter++;
        graph.messageField(EncoderGraphScan.GRAPH_NODE, nodeProto(op, inputs, List.of(out), attrs));
        return out;
    }

    private ProtoWriter nodeProto(String op, List<String> inputs, List<String> outputs, Attr... attrs) {
        ProtoWriter n = new ProtoWriter();
        for (String i : inputs) n.stringField(1, i);
        for (String o : outputs) n.stringField(2, o);
        n.stringField(3, P + op + "_" + counter++);
        n.stringField(4, op);
        for (Attr a : attrs) {
            // AttributeProto: name = 1, i = 3, type = 20 (INT = 2)
            n.messageField(5, new ProtoWriter().stringField(1, a.name()).varintField(3, a.value()).varintField(20, 2));
        }
        return n;
    }

    private String longs(String name, long[] dims, long... values) {
        String full = P + name;
        if (initializers.contains(full)) return full;
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) b.putLong(v);
        tensor(full, INT64, dims, b.array());
        return full;
    }

    private String floats(String name, long[] dims, float... values) {
        String full = P + name;
        if (initializers.contains(full)) return full;
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        tensor(full, FLOAT, dims, b.array());
        return full;
    }

    /** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian). */
    private void tensor(String name, int type, long[] dims, byte[] raw) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) t.varintField(1, d);
        t.varintField(2, type).stringField(8, name).bytesField(9, raw);
        graph.messageField(EncoderGraphScan.GRAPH_INITIALIZER, t);
        initializers.add(name);
    }

    /** ValueInfoProto of a float tensor {@code [batch_size, labels]}. */
    private static ProtoWriter valueInfo(String name, int labels) {
        ProtoWriter shape = new ProtoWriter()
                .messageField(1, new ProtoWriter().stringField(2, "batch_size"))
                .messageField(1, new ProtoWriter().varintField(1, labels));
        ProtoWriter tensorType = new ProtoWriter().varintField(1, FLOAT).messageField(2, shape);
        ProtoWriter type = new ProtoWriter().messageField(1, tensorType);
        return new ProtoWriter().stringField(1, name).messageField(2, type);
    }
}
