package io.pgmlsidecar.ml.transformers.encoder;

import io.pgmlsidecar.ml.tokenize.TokenSpans;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a (question, context) encoding into windows of at most {@code maxSeqLen} tokens, each the
 * question plus a slice of the context, consecutive slices overlapping by {@code docStride} tokens
 * (what the tokenizer's {@code truncation="only_second", stride=doc_stride,
 * return_overflowing_tokens=True} gives transformers' QA pipeline).
 */
final class QaWindows {
    private QaWindows() {}

    /** One window and, per token, whether it is a context token (the only ones an answer may use). */
    record Window(TokenSpans tokens, boolean[] context) {}

    static List<Window> split(TokenSpans full, int maxSeqLen, int docStride, int maxQuestionLen) {
        List<Integer> before = new ArrayList<>(), ctx = new ArrayList<>(), after = new ArrayList<>();
        int question = 0;
        for (int i = 0; i < full.length(); i++) {
            long seq = full.sequenceIds()[i];
            if (seq == 1) {
                ctx.add(i);
            } else if (ctx.isEmpty()) {
                // the question is cut to max_question_len tokens, its special tokens kept
                if (seq == 0 && question++ >= maxQuestionLen) continue;
                before.add(i);
            } else {
                after.add(i);
            }
        }
        int room = maxSeqLen - before.size() - after.size();
        if (room <= 0) {
            throw new InvalidArgumentsException("question-answering: the question takes " + before.size()
                    + " tokens, leaving no room for the context within max_seq_len " + maxSeqLen);
        }
        if (docStride >= room && ctx.size() > room) {
            throw new InvalidArgumentsException("question-answering: argument 'doc_stride' (" + docStride
                    + ") must be smaller than the context tokens that fit in a window (" + room
                    + " = max_seq_len " + maxSeqLen + " minus the question and special tokens)");
        }
        List<Window> windows = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = Math.min(ctx.size(), start + room);
            int[] positions = new int[before.size() + (end - start) + after.size()];
            boolean[] isContext = new boolean[positions.length];
            int k = 0;
            for (int p : before) positions[k++] = p;
            for (int j = start; j < end; j++) {
                isContext[k] = true;
                positions[k++] = ctx.get(j);
            }
            for (int p : after) positions[k++] = p;
            windows.add(new Window(full.select(positions, windows.size() > 0 || end < ctx.size()), isContext));
            if (end >= ctx.size()) break;
            start = end - docStride;
        }
        return windows;
    }
}
