package io.pgmlsidecar.ml.transformers.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.pipelines.EncoderRow;
import io.pgmlsidecar.ml.pipelines.Scores;
import io.pgmlsidecar.ml.tokenize.TokenSpans;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import io.pgmlsidecar.ml.transformers.PipelineContext;
import io.pgmlsidecar.ml.transformers.TransformerModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code fill-mask}: the masked-LM {@code logits [batch, seq, vocab]} at the mask position softmaxed
 * over the vocabulary; the {@code top_k} best tokens (or the best of {@code targets}) with the input
 * completed by each. One input gives its list, several a list per input.
 */
public final class FillMaskPipeline extends EncoderTaskPipeline {
    private static final Set<String> KEYS = keys();

    private final TokenizerFile vocabulary;
    private final String maskToken;
    private final long maskId;

    private FillMaskPipeline(EncoderModel model, String task) {
        super(model, task);
        this.vocabulary = TokenizerFile.read(model.model().tokenizerFile());
        String mask = model.model().specialToken("mask_token").orElse(null);
        if (mask == null) {
            for (String c : List.of("[MASK]", "<mask>")) {
                if (vocabulary.id(c).isPresent()) {
                    mask = c;
                    break;
                }
            }
        }
        if (mask == null || vocabulary.id(mask).isEmpty()) {
            throw new ModelFormatException("model '" + model.model().name() + "' has no mask token (looked for mask_token in"
                    + " tokenizer_config.json / special_tokens_map.json, then [MASK] and <mask> in tokenizer.json)");
        }
        this.maskToken = mask;
        this.maskId = vocabulary.id(mask).get();
    }

    public static FillMaskPipeline open(TransformerModel m, PipelineContext context, String task) {
        return new FillMaskPipeline(EncoderModel.open(m, context, List.of("logits")), task);
    }

    private static Set<String> keys() {
        Set<String> k = new HashSet<>(Inputs.TOKENIZER_KEYS);
        k.addAll(List.of("top_k", "targets"));
        return Set.copyOf(k);
    }

    @Override
    public JsonNode run(List<JsonNode> inputs, PipelineArgs args) {
        args.onlyKeys(KEYS);
        Inputs.requireSome(inputs, task);
        Inputs.checkTruncation(args);
        int topK = args.integer("top_k", 5, 1, Integer.MAX_VALUE);
        long[] targets = args.raw("targets") == null || args.raw("targets").isNull() ? null : targets(args);
        if (targets != null) topK = Math.min(topK, targets.length);
        int max = Inputs.maxLength(args, model.tokenizer().maxLength());
        List<TokenSpans> encoded = new ArrayList<>();
        int[] maskAt = new int[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            TokenSpans t = model.tokenizer().spans(Inputs.text(inputs.get(i), task, i), null).truncate(max, false);
            maskAt[i] = maskPosition(t, i);
            encoded.add(t);
        }
        List<EncoderRow> rows = model.run(encoded, Inputs.batchSize(args));
        ArrayNode out = JSON.arrayNode();
        for (int i = 0; i < rows.size(); i++) {
            float[] probs = Scores.softmax(rows.get(i).perTokenVectors("logits")[maskAt[i]]);
            long[] candidates = targets;
            if (candidates == null) {
                candidates = new long[probs.length];
                for (int v = 0; v < probs.length; v++) candidates[v] = v;
            }
            int k = Math.min(topK, candidates.length);
            List<Long> order = new ArrayList<>();
            for (long c : candidates) order.add(c);
            order.sort((a, b) -> Float.compare(probs[b.intValue()], probs[a.intValue()]));
            ArrayNode list = out.addArray();
            for (long token : order.subList(0, k)) {
                if (token < 0 || token >= probs.length) {
                    throw new ModelFormatException("fill-mask: target token id " + token + " is outside the model's logits ("
                            + probs.length + ")");
                }
                long[] ids = encoded.get(i).ids().clone();
                ids[maskAt[i]] = token;
                ObjectNode o = list.addObject();
                o.put("score", (double) probs[(int) token]);
                o.put("token", token);
                o.put("token_str", model.tokenizer().decode(new long[] {token}, false));
                o.put("sequence", model.tokenizer().decode(withoutPadding(ids), true));
            }
        }
        // transformers returns the lone input's list itself
        return inputs.size() == 1 ? out.get(0) : out;
    }

    private int maskPosition(TokenSpans t, int index) {
        int at = -1, count = 0;
        for (int p = 0; p < t.length(); p++) {
            if (t.ids()[p] == maskId) {
                at = p;
                count++;
            }
        }
        if (count != 1) {
            throw new InvalidArgumentsException("fill-mask: input " + (index + 1) + " must contain exactly one mask token "
                    + maskToken + " (within the model's max length), found " + count);
        }
        return at;
    }

    private long[] withoutPadding(long[] ids) {
        return java.util.Arrays.stream(ids).filter(x -> x != model.tokenizer().padId()).toArray();
    }

    /** Target words as token ids: a vocabulary entry as is, else the first token of the word, as transformers. */
    private long[] targets(PipelineArgs args) {
        Set<Long> ids = new LinkedHashSet<>();
        for (String t : args.strings("targets")) {
            var id = vocabulary.id(t);
            if (id.isPresent()) {
                ids.add(id.get());
                continue;
            }
            long[] pieces = model.tokenizer().idsWithoutSpecialTokens(t);
            if (pieces.length > 0) ids.add(pieces[0]);
        }
        if (ids.isEmpty()) throw new InvalidArgumentsException("argument 'targets': at least one target must be provided");
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
