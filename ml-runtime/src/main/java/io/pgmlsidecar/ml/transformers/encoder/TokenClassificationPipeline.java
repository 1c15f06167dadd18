package io.pgmlsidecar.ml.transformers.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.pipelines.EntityAggregation;
import io.pgmlsidecar.ml.pipelines.TokenClassification;
import io.pgmlsidecar.ml.transformers.ClassifierFiles;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import io.pgmlsidecar.ml.transformers.PipelineContext;
import io.pgmlsidecar.ml.transformers.TransformerModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
        TokenClassification head = head(args);
        Inputs.requireSome(inputs, task);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) texts.add(Inputs.text(inputs.get(i), task, i));
        return head.results(model.tokenizer(), model.encoder(), texts, Inputs.batchSize(args));
    }

    /** The call's arguments read as transformers reads them (aggregation, ignored labels, token budget, stride). */
    public TokenClassification head(PipelineArgs args) {
        args.onlyKeys(KEYS);
        Inputs.checkTruncation(args);
        EntityAggregation strategy = strategy(args);
        Set<String> ignore = args.has("ignore_labels") ? new HashSet<>(args.strings("ignore_labels")) : Set.of("O");
        int max = Inputs.maxLength(args, model.tokenizer().maxLength());
        Integer stride = stride(args, strategy, max);
        TransformerModel m = model.model();
        return new TokenClassification(m.labels(TextClassificationPipeline.numLabels(m)), strategy, ignore, max, stride,
                vocabulary.continuingSubwordPrefix().orElse(null), unkToken);
    }

    /** The files and the read arguments another engine needs to find entities as {@link #run} does with {@code args}. */
    public ClassifierFiles files(PipelineArgs args) {
        TokenClassification head = head(args);
        return model.files(head.truncateAt(), Inputs.batchSize(args), null, head);
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

    private static EntityAggregation strategy(PipelineArgs args) {
        if (args.has("aggregation_strategy")) {
            String name = args.string("aggregation_strategy", "none");
            try {
                return EntityAggregation.valueOf(name.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidArgumentsException("argument 'aggregation_strategy' must be one of none, simple, first,"
                        + " average, max; got '" + name + "'");
            }
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
