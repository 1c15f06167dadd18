package io.pgmlsidecar.ml.transformers.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.ml.pipelines.EncoderRow;
import io.pgmlsidecar.ml.pipelines.Scores;
import io.pgmlsidecar.ml.tokenize.TokenSpans;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import io.pgmlsidecar.ml.transformers.PipelineContext;
import io.pgmlsidecar.ml.transformers.TransformerModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code token-classification} / {@code ner}: per-token {@code logits [batch, seq, labels]} softmaxed
 * and reported per token or aggregated into entities as transformers' TokenClassificationPipeline
 * does; char offsets come from the tokenizer. One list per input.
 */
public final class TokenClassificationPipeline extends EncoderTaskPipeline {
    private static final Set<String> KEYS = keys();

    private final TokenizerFile vocabulary;
    private final String unkToken;

    private TokenClassificationPipeline(EncoderModel model, String task) {
        super(model, task);
        this.vocabulary = TokenizerFile.read(model.model().tokenizerFile());
        this.unkToken = model.model().specialToken("unk_token").orElse(null);
    }

    public static TokenClassificationPipeline open(TransformerModel m, PipelineContext context, String task) {
        return new TokenClassificationPipeline(EncoderModel.open(m, context, List.of("logits")), task);
    }

    private static Set<String> keys() {
        Set<String> k = new HashSet<>(Inputs.TOKENIZER_KEYS);
        k.addAll(List.of("aggregation_strategy", "ignore_labels", "grouped_entities", "ignore_subwords", "stride"));
        return Set.copyOf(k);
    }

    @Override
    public JsonNode run(List<JsonNode> inputs, PipelineArgs args) {
        args.onlyKeys(KEYS);
        Inputs.requireSome(inputs, task);
        Inputs.checkTruncation(args);
        EntityAggregation strategy = strategy(args);
        Set<String> ignore = args.has("ignore_labels") ? new HashSet<>(args.strings("ignore_labels")) : Set.of("O");
        int max = Inputs.maxLength(args, model.tokenizer().maxLength());
        Integer stride = stride(args, strategy, max);
        List<String> texts = new ArrayList<>();
        List<TokenSpans> windows = new ArrayList<>();
        List<Integer> inputOf = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            texts.add(Inputs.text(inputs.get(i), task, i));
            TokenSpans all = model.tokenizer().spans(texts.get(i), null);
            // without stride, long texts are cut to the model's length; with it, read whole in overlapping windows
            for (TokenSpans w : stride == null ? List.of(all.truncate(max, false)) : all.windows(max, stride)) {
                windows.add(w);
                inputOf.add(i);
            }
        }
        List<EncoderRow> rows = model.run(windows, Inputs.batchSize(args));
        Function<long[], String> decode = ids -> model.tokenizer().decode(ids, false);
        List<List<Found>> found = new ArrayList<>();
        List<Integer> chunks = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            found.add(new ArrayList<>());
            chunks.add(0);
        }
        for (int r = 0; r < rows.size(); r++) {
            int input = inputOf.get(r);
            chunks.set(input, chunks.get(input) + 1);
            float[][] logits = rows.get(r).perTokenVectors("logits");
            List<String> labels = model.model().labels(logits.length == 0 ? 0 : logits[0].length);
            List<EntityAggregation.Labelled> labelled = strategy.label(pieces(texts.get(input), windows.get(r), logits), labels, decode);
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
        for (int i = 0; i < inputs.size(); i++) {
            ArrayNode list = out.addArray();
            (chunks.get(i) > 1 ? withoutOverlaps(found.get(i)) : found.get(i)).forEach(f -> list.add(f.json()));
        }
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
        sorted.sort(java.util.Comparator.comparingInt(Found::start));
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

    /** The stride, as transformers checks it: below the window's room, and only with an aggregation. */
    private Integer stride(PipelineArgs args, EntityAggregation strategy, int max) {
        if (!args.has("stride")) return null;
        int stride = args.integer("stride", 0, 0, Integer.MAX_VALUE);
        if (strategy == EntityAggregation.NONE) {
            throw new InvalidArgumentsException("argument 'stride' reads long texts in overlapping windows, whose tokens would be"
                    + " reported twice with aggregation_strategy none: pick simple, first, average or max");
        }
        int specials = model.tokenizer().spans("", null).length();
        if (stride >= max - specials) {
            throw new InvalidArgumentsException("argument 'stride' must be less than the tokens a window holds (" + (max - specials)
                    + " of max length " + max + "), got " + stride);
        }
        return stride;
    }

    /** The text tokens with softmaxed scores; special tokens are left out, as transformers does. */
    private List<EntityAggregation.Piece> pieces(String text, TokenSpans enc, float[][] logits) {
        List<EntityAggregation.Piece> pieces = new ArrayList<>();
        String prefix = vocabulary.continuingSubwordPrefix().orElse(null);
        for (int i = 0; i < enc.length(); i++) {
            if (enc.special(i)) continue;
            int start = enc.starts()[i], end = enc.ends()[i];
            String word = enc.tokens()[i];
            String ref = text.substring(Math.min(start, text.length()), Math.min(end, text.length()));
            boolean subword;
            if (prefix != null) {
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

    private static EntityAggregation strategy(PipelineArgs args) {
        if (args.has("aggregation_strategy")) {
            return EntityAggregation.parse(args.string("aggregation_strategy", "none"));
        }
        // the deprecated flags, mapped as transformers maps them
        boolean grouped = args.bool("grouped_entities", false);
        boolean ignoreSubwords = args.bool("ignore_subwords", false);
        if (grouped && ignoreSubwords) return EntityAggregation.FIRST;
        if (grouped) return EntityAggregation.SIMPLE;
        if (ignoreSubwords) {
            throw new InvalidArgumentsException("argument 'ignore_subwords' needs grouped_entities=true"
                    + " (or use aggregation_strategy first/average/max)");
        }
        return EntityAggregation.NONE;
    }
}
