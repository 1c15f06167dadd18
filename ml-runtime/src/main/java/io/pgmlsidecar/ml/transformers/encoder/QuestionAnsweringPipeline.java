package io.pgmlsidecar.ml.transformers.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.ml.pipelines.EncoderRow;
import io.pgmlsidecar.ml.tokenize.TokenSpans;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import io.pgmlsidecar.ml.transformers.PipelineContext;
import io.pgmlsidecar.ml.transformers.TransformerModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * {@code question-answering}: extractive QA over {@code start_logits} / {@code end_logits}, with
 * transformers' span search (context tokens only, end not before start, at most max_answer_len
 * tokens, score = p(start) * p(end)), long contexts read in overlapping windows, answers aligned to
 * whole words. One input gives an object (or a list when top_k &gt; 1), several give an array.
 */
public final class QuestionAnsweringPipeline extends EncoderTaskPipeline {
    private static final Set<String> KEYS = Set.of("top_k", "topk", "doc_stride", "max_answer_len", "max_seq_len",
            "max_question_len", "handle_impossible_answer", "align_to_words", "padding", "batch_size");

    private QuestionAnsweringPipeline(EncoderModel model, String task) {
        super(model, task);
    }

    public static QuestionAnsweringPipeline open(TransformerModel m, PipelineContext context, String task) {
        return new QuestionAnsweringPipeline(EncoderModel.open(m, context, List.of("start_logits", "end_logits")), task);
    }

    private record Example(String question, String context) {}

    private record Answer(float score, int start, int end, String answer) {}

    @Override
    public JsonNode run(List<JsonNode> inputs, PipelineArgs args) {
        args.onlyKeys(KEYS);
        Inputs.requireSome(inputs, task);
        int topK = args.integer("top_k", args.integer("topk", 1, 1, 10_000), 1, 10_000);
        int maxAnswerLen = args.integer("max_answer_len", 15, 1, 100_000);
        int maxSeqLen = args.integer("max_seq_len", Math.min(model.tokenizer().maxLength(), 384), 2, 100_000);
        maxSeqLen = Math.min(maxSeqLen, model.tokenizer().maxLength());
        int docStride = args.integer("doc_stride", Math.min(maxSeqLen / 2, 128), 0, 100_000);
        if (docStride > maxSeqLen) {
            throw new InvalidArgumentsException("argument 'doc_stride' (" + docStride + ") is larger than max_seq_len ("
                    + maxSeqLen + ")");
        }
        int maxQuestionLen = args.integer("max_question_len", 64, 1, 100_000);
        boolean impossible = args.bool("handle_impossible_answer", false);
        boolean alignToWords = args.bool("align_to_words", true);
        if (args.has("padding") && !args.raw("padding").isBoolean() && !args.raw("padding").isTextual()) {
            throw new InvalidArgumentsException("argument 'padding' must be true, false or a strategy name");
        }

        // every window of every input goes through the model in one batched run
        List<Example> examples = new ArrayList<>();
        List<TokenSpans> fulls = new ArrayList<>();
        List<List<QaWindows.Window>> windows = new ArrayList<>();
        List<TokenSpans> flat = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Example ex = example(inputs.get(i), i);
            examples.add(ex);
            TokenSpans full = model.tokenizer().spans(ex.question(), ex.context());
            fulls.add(full);
            List<QaWindows.Window> w = QaWindows.split(full, maxSeqLen, docStride, maxQuestionLen);
            windows.add(w);
            for (QaWindows.Window x : w) flat.add(x.tokens());
        }
        List<EncoderRow> rows = model.run(flat, Inputs.batchSize(args));

        ArrayNode out = JSON.arrayNode();
        int next = 0;
        for (int i = 0; i < examples.size(); i++) {
            List<Answer> answers = new ArrayList<>();
            float minNull = 1_000_000f;
            for (QaWindows.Window w : windows.get(i)) {
                EncoderRow row = rows.get(next++);
                SpanSearch.Result r = SpanSearch.search(row.perToken("start_logits"), row.perToken("end_logits"),
                        desired(w), topK, maxAnswerLen);
                minNull = Math.min(minNull, r.nullScore());
                for (SpanSearch.Span s : r.spans()) {
                    int[] chars = chars(w.tokens(), fulls.get(i), s.start(), s.end(), alignToWords);
                    String ctx = examples.get(i).context();
                    answers.add(new Answer(s.score(), chars[0], chars[1],
                            ctx.substring(Math.min(chars[0], ctx.length()), Math.min(chars[1], ctx.length()))));
                }
            }
            if (impossible) answers.add(new Answer(minNull, 0, 0, ""));
            answers.sort(Comparator.comparingDouble((Answer a) -> a.score()).reversed());
            List<Answer> top = answers.subList(0, Math.min(topK, answers.size()));
            if (top.size() == 1) {
                out.add(json(top.get(0)));
            } else {
                ArrayNode list = out.addArray();
                for (Answer a : top) list.add(json(a));
            }
        }
        // transformers returns the lone answer itself for a single input
        return inputs.size() == 1 ? out.get(0) : out;
    }

    /** Context tokens plus the CLS token (position 0), which stands for "no answer". */
    private boolean[] desired(QaWindows.Window w) {
        boolean[] d = w.context().clone();
        TokenSpans t = w.tokens();
        if (t.length() > 0 && t.special(0)) d[0] = true;
        return d;
    }

    /** Char span in the context: whole words (as transformers' align_to_words), else the tokens' own offsets. */
    private static int[] chars(TokenSpans window, TokenSpans full, int s, int e, boolean alignToWords) {
        int start = window.starts()[s], end = window.ends()[e];
        if (alignToWords) {
            long ws = window.wordIds()[s], we = window.wordIds()[e];
            if (ws >= 0 && we >= 0) {
                int a = Integer.MAX_VALUE, b = -1;
                for (int i = 0; i < full.length(); i++) {
                    if (full.sequenceIds()[i] != 1) continue;
                    if (full.wordIds()[i] == ws) a = Math.min(a, full.starts()[i]);
                    if (full.wordIds()[i] == we) b = Math.max(b, full.ends()[i]);
                }
                if (a != Integer.MAX_VALUE && b >= 0) return new int[] {a, b};
            }
        }
        return new int[] {start, end};
    }

    private Example example(JsonNode input, int index) {
        JsonNode o = Inputs.object(input);
        if (o == null) {
            throw new InvalidArgumentsException("question-answering: input " + (index + 1)
                    + " must be a JSON object {\"question\": ..., \"context\": ...}, got " + input);
        }
        JsonNode q = o.get("question"), c = o.get("context");
        if (q == null || !q.isTextual() || c == null || !c.isTextual()) {
            throw new InvalidArgumentsException("question-answering: input " + (index + 1)
                    + " needs string values for both 'question' and 'context', got " + o);
        }
        if (q.asText().isEmpty()) throw new InvalidArgumentsException("question-answering: input " + (index + 1) + ": `question` cannot be empty");
        if (c.asText().isEmpty()) throw new InvalidArgumentsException("question-answering: input " + (index + 1) + ": `context` cannot be empty");
        return new Example(q.asText(), c.asText());
    }

    private static ObjectNode json(Answer a) {
        ObjectNode o = JSON.objectNode();
        o.put("score", (double) a.score());
        o.put("start", a.start());
        o.put("end", a.end());
        o.put("answer", a.answer());
        return o;
    }
}
