package io.pgmlsidecar.ml.tune;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the classifier export needs to know about an encoder's ONNX ModelProto, read in one streaming
 * pass: the opset versions, the graph's input and output names, and the graph's size and the bytes
 * its output entries take (they are dropped when the graph is rewritten).
 */
record EncoderGraphScan(long irVersion, Map<String, Long> opsets, List<String> inputs, List<String> outputs,
                        long graphLength, long outputBytes) {
    // ModelProto fields
    static final int MODEL_IR_VERSION = 1, MODEL_GRAPH = 7, MODEL_OPSET_IMPORT = 8;
    // GraphProto fields
    static final int GRAPH_NODE = 1, GRAPH_INITIALIZER = 5, GRAPH_INPUT = 11, GRAPH_OUTPUT = 12;

    /** The version of the default ONNX operator set ({@code ""} or {@code ai.onnx}), or -1. */
    long defaultOpset() {
        Long v = opsets.get("");
        if (v == null) v = opsets.get("ai.onnx");
        return v == null ? -1 : v;
    }

    static EncoderGraphScan read(InputStream stream) throws IOException {
        ProtoReader r = new ProtoReader(stream);
        long ir = -1, graphLength = -1, outputBytes = 0;
        Map<String, Long> opsets = new LinkedHashMap<>();
        List<String> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        for (long tag; (tag = r.nextTag()) >= 0; ) {
            int field = (int) (tag >>> 3), wire = (int) (tag & 7);
            if (field == MODEL_IR_VERSION && wire == ProtoWriter.VARINT) {
                ir = r.readVarint();
            } else if (field == MODEL_OPSET_IMPORT && wire == ProtoWriter.LEN) {
                ProtoReader o = ProtoReader.of(r.readBytes(r.readVarint()));
                String domain = "";
                long version = -1;
                for (long t; (t = o.nextTag()) >= 0; ) {
                    if (t == (1 << 3 | ProtoWriter.LEN)) domain = o.readString(o.readVarint());
                    else if (t == (2 << 3 | ProtoWriter.VARINT)) version = o.readVarint();
                    else o.skipBody((int) (t & 7));
                }
                opsets.put(domain, version);
            } else if (field == MODEL_GRAPH && wire == ProtoWriter.LEN) {
                if (graphLength >= 0) throw new IOException("the model has more than one graph field");
                graphLength = r.readVarint();
                long end = r.position() + graphLength;
                while (r.position() < end) {
                    long start = r.position();
                    long t = r.nextTag();
                    int f = (int) (t >>> 3), w = (int) (t & 7);
                    if ((f == GRAPH_INPUT || f == GRAPH_OUTPUT) && w == ProtoWriter.LEN) {
                        String name = valueInfoName(r.readBytes(r.readVarint()));
                        (f == GRAPH_INPUT ? inputs : outputs).add(name);
                        if (f == GRAPH_OUTPUT) outputBytes += r.position() - start;
                    } else {
                        r.skipBody(w);
                    }
                }
                if (r.position() != end) throw new IOException("malformed graph field");
            } else {
                r.skipBody(wire);
            }
        }
        if (graphLength < 0) throw new IOException("no graph in the ONNX model");
        return new EncoderGraphScan(ir, opsets, inputs, outputs, graphLength, outputBytes);
    }

    private static String valueInfoName(byte[] valueInfo) throws IOException {
        ProtoReader v = ProtoReader.of(valueInfo);
        for (long t; (t = v.nextTag()) >= 0; ) {
            if (t == (1 << 3 | ProtoWriter.LEN)) return v.readString(v.readVarint());
            v.skipBody((int) (t & 7));
        }
        return "";
    }
}
