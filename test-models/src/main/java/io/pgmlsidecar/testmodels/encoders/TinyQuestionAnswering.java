package io.pgmlsidecar.testmodels.encoders;

import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An extractive QA head: {@code start_logits[b,t] = START[input_ids[b,t]]} and likewise for the end.
 * "paris" is a likely start and end, "river" a likely end; "what" and "where" get the highest start
 * score of all, so a pipeline that does not restrict answers to the context picks a question word.
 */
public final class TinyQuestionAnswering {
    private TinyQuestionAnswering() {}

    public static float[] startTable() {
        float[] s = new float[TinyVocab.size()];
        s[TinyVocab.id("paris")] = 5;
        s[TinyVocab.id("london")] = 3;
        s[TinyVocab.id("what")] = 9;
        s[TinyVocab.id("where")] = 9;
        return s;
    }

    public static float[] endTable() {
        float[] e = new float[TinyVocab.size()];
        e[TinyVocab.id("paris")] = 4;
        e[TinyVocab.id("london")] = 2;
        e[TinyVocab.id("river")] = 4.5f;
        e[TinyVocab.id("what")] = 9;
        e[TinyVocab.id("where")] = 9;
        return e;
    }

    public static Path write(Path dir, int maxLength) throws IOException {
        OnnxGraph g = new OnnxGraph("tiny-qa");
        g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
        g.input("attention_mask", OnnxGraph.INT64, "batch", "sequence");
        g.input("token_type_ids", OnnxGraph.INT64, "batch", "sequence");
        String s = g.floats("start_table", startTable(), TinyVocab.size());
        String e = g.floats("end_table", endTable(), TinyVocab.size());
        g.op("Gather", List.of(s, "input_ids"), List.of("start_logits"), Map.of());
        g.op("Gather", List.of(e, "input_ids"), List.of("end_logits"), Map.of());
        g.output("start_logits", OnnxGraph.FLOAT, "batch", "sequence");
        g.output("end_logits", OnnxGraph.FLOAT, "batch", "sequence");
        return HfEncoderDirectory.write(dir, g, List.of(), null, maxLength);
    }
}
