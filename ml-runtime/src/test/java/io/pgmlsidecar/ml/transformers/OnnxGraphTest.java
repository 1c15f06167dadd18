package io.pgmlsidecar.ml.transformers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.pgmlsidecar.testmodels.OnnxGraph;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test-models graph builder writes protobuf that ONNX Runtime loads and runs as intended. */
class OnnxGraphTest {
    @Test
    void gatherThenReduceSumRuns() throws Exception {
        OnnxGraph g = new OnnxGraph("t");
        g.input("ids", OnnxGraph.INT64, "batch", "seq");
        String rows = g.op("Gather", g.floats("table", new float[][] {{1, 0}, {0, 2}, {3, 3}}), "ids");
        g.op("ReduceSum", List.of(rows, g.longs("axes", 1)), List.of("out"), Map.of("keepdims", 0L));
        g.output("out", OnnxGraph.FLOAT, "batch", 2);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(g.toBytes(), new OrtSession.SessionOptions());
             OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {0, 1, 2, 2, 2, 0}), new long[] {2, 3});
             OrtSession.Result r = s.run(Map.of("ids", ids))) {
            float[][] out = (float[][]) r.get(0).getValue();
            assertArrayEquals(new float[] {4, 5}, out[0]);
            assertArrayEquals(new float[] {7, 6}, out[1]);
        }
    }
}
