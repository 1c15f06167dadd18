package io.pgmlsidecar.ml.pipelines;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.ml.onnx.OnnxEncoder;
import io.pgmlsidecar.ml.tokenize.TextTokenizer;
import io.pgmlsidecar.ml.tokenize.TokenSpans;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A token classification head's per-token logits turned into what transformers' token-classification (ner) pipeline
 * returns, with the call's arguments already read: per token or aggregated into entities, char offsets from the
 * tokenizer, long texts cut to {@code truncateAt} tokens or read whole in overlapping windows ({@code stride}). The
 * sidecar's pipeline and the Spark executors share it, so a row gets the same entities on either (decision 37t).
 *
 * @param labels        the model's labels in id order ({@code id2label}; {@code LABEL_i} past them)
 * @param ignore        labels left out of the output ({@code ignore_labels}, default {@code O})
 * @param subwordPrefix the tokenizer's continuing sub-word prefix ({@code ##}), null for byte-level BPE / Unigram
 * @param unkToken      the unknown token, reported as the text it covers
 */
public record TokenClassification(List<String> labels, EntityAggregation strategy, Set<String> ignore, int truncateAt, Integer stride,
                                  String subwordPrefix, String unkToken) implements Serializable {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    public TokenClassification {
        labels = List.copyOf(labels);
        ignore = Set.copyOf(ignore);
    }

    /** One list of tokens or entities per text, in order. */
    public ArrayNode results(TextTokenizer tokenizer, OnnxEncoder encoder, List<String> texts, int batchSize) {
        List<TokenSpans> windows = new ArrayList<>();
        List<Integer> inputOf = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            TokenSpans all = tokenizer.spans(texts.get(i), null);
            // without stride, long texts are cut to the model's length; with it, read whole in overlapping windows
            for (TokenSpans w : stride == null ? List.of(all.truncate(truncateAt, false)) : all.windows(truncateAt, stride)) {
                windows.add(w);
                inputOf.add(i);
            }
        }
        List<EncoderRow> rows = EncoderBatches.run(encoder, tokenizer.padId(), windows, batchSize);
        Function<long[], String> decode = ids -> tokenizer.decode(ids, false);
        List<List<Found>> found = new ArrayList<>();
        int[] chunks = new int[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            found.add(new ArrayList<>());
        }
        for (int r = 0; r < rows.size(); r++) {
            int input = inputOf.get(r);
            chunks[input]++;
            float[][] logits = rows.get(r).perTokenVectors("logits");
            List<String> named = labels(logits.length == 0 ? 0 : logits[0].length);
            List<EntityAggregation.Labelled> labelled = strategy.label(pieces(texts.get(input), windows.get(r), logits), named, decode);
            List<Found> list = found.get(input);
            if (strategy == EntityAggregation.NONE) {
                for (EntityAggregation.Labelled e : labelled) {
                    if (ignore.contains(e.entity())) continue;
                    ObjectNode o = JSON.objectNode();
                    o.put("entity", e.entity());
                    o.put("score", (double) e.score());
                    o.put("index", e.index());
                    o.put("word", e.word());
                    o.put("start", e.start());
                    o.put("end", e.end());
                    list.add(new Found(e.start(), e.end(), e.score(), o));
                }
            } else {
                for (EntityAggregation.Group g : EntityAggregation.group(labelled, decode)) {
                    if (ignore.contains(g.entityGroup())) continue;
                    ObjectNode o = JSON.objectNode();
                    o.put("entity_group", g.entityGroup());
                    o.put("score", (double) g.score());
                    o.put("word", g.word());
                    o.put("start", g.start());
                    o.put("end", g.end());
                    list.add(new Found(g.start(), g.end(), g.score(), o));
                }
            }
        }
        ArrayNode out = JSON.arrayNode();
        for (int i = 0; i < texts.size(); i++) {
            ArrayNode list = out.addArray();
            (chunks[i] > 1 ? withoutOverlaps(found.get(i)) : found.get(i)).forEach(f -> list.add(f.json()));
        }
        return out;
    }

    /** The first {@code count} labels, {@code LABEL_i} where the model names none. */
    private List<String> labels(int count) {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(i < labels.size() ? labels.get(i) : "LABEL_" + i);
        return out;
    }

    /** An entity (or a token, without aggregation) found in a window: its span, score and output. */
    private record Found(int start, int end, float score, ObjectNode json) {}

    /**
     * Entities of overlapping windows merged as transformers does: in order of start, of two that
     * overlap the longer one stays (on a tie, the higher score).
     */
    private static List<Found> withoutOverlaps(List<Found> found) {
        if (found.isEmpty()) return found;
        List<Found> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparingInt(Found::start));
        List<Found> out = new ArrayList<>();
        Found previous = sorted.get(0);
        for (Found f : sorted) {
            if (previous.start() <= f.start() && f.start() < previous.end()) {
                int length = f.end() - f.start(), previousLength = previous.end() - previous.start();
                if (length > previousLength || (length == previousLength && f.score() > previous.score())) previous = f;
            } else {
                out.add(previous);
                previous = f;
            }
        }
        out.add(previous);
        return out;
    }

    /** The text tokens with softmaxed scores; special tokens are left out, as transformers does. */
    private List<EntityAggregation.Piece> pieces(String text, TokenSpans enc, float[][] logits) {
        List<EntityAggregation.Piece> pieces = new ArrayList<>();
        for (int i = 0; i < enc.length(); i++) {
            if (enc.special(i)) continue;
            int start = enc.starts()[i], end = enc.ends()[i];
            String word = enc.tokens()[i];
            String ref = text.substring(Math.min(start, text.length()), Math.min(end, text.length()));
            boolean subword;
            if (subwordPrefix != null) {
                // word-piece tokenizers: a continuation piece is longer than the text it covers (the prefix)
                subword = word.length() != ref.length();
            } else {
                // others: a token glued to the previous character is part of the same word
                subword = start > 0 && !text.substring(start - 1, Math.min(start + 1, text.length())).contains(" ");
            }
            if (word.equals(unkToken)) {
                word = ref;
                subword = false;
            }
            pieces.add(new EntityAggregation.Piece(new long[] {enc.ids()[i]}, word, Scores.softmax(logits[i]), i,
                    start, end, subword));
        }
        return pieces;
    }
}
