package io.pgmlsidecar.ml.transformers.encoder;

import io.pgmlsidecar.ml.pipelines.Scores;
import java.util.ArrayList;
import java.util.List;

/**
 * transformers' QA span decoding for one window: logits outside the allowed tokens are set to -10000,
 * start and end are softmaxed separately, the CLS position's p(start)·p(end) is the "no answer" score,
 * then the best (start, end) pairs with start ≤ end &lt; start + max_answer_len are kept.
 */
final class SpanSearch {
    private SpanSearch() {}

    record Span(int start, int end, float score) {}

    record Result(List<Span> spans, float nullScore) {}

    static Result search(float[] startLogits, float[] endLogits, boolean[] allowed, int topK, int maxAnswerLen) {
        int n = startLogits.length;
        float[] s = new float[n], e = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = allowed[i] ? startLogits[i] : -10000f;
            e[i] = allowed[i] ? endLogits[i] : -10000f;
        }
        s = Scores.softmax(s);
        e = Scores.softmax(e);
        float nullScore = s[0] * e[0];
        s[0] = 0f;
        e[0] = 0f;
        // candidates in row-major order so that ties keep transformers' (argmax / stable) order
        List<Span> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i; j < Math.min(n, i + maxAnswerLen); j++) all.add(new Span(i, j, s[i] * e[j]));
        }
        all.sort((a, b) -> Float.compare(b.score(), a.score()));
        List<Span> out = new ArrayList<>();
        for (Span c : all.subList(0, Math.min(topK, all.size()))) {
            if (allowed[c.start()] && allowed[c.end()]) out.add(c);
        }
        return new Result(out, nullScore);
    }
}
