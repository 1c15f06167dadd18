package io.pgmlsidecar.ml.transformers.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pgmlsidecar.ml.pipelines.EncoderRow;
import io.pgmlsidecar.ml.pipelines.TextClassification;
import io.pgmlsidecar.ml.tokenize.TokenSpans;
import io.pgmlsidecar.ml.transformers.ClassifierFiles;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.PipelineArgs;
import io.pgmlsidecar.ml.transformers.PipelineContext;
import io.pgmlsidecar.ml.transformers.TransformerModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code text-classification} / {@code sentiment-analysis}: a sequence classification head's
 * {@code logits [batch, labels]} turned into labelled scores as transformers'
 * TextClassificationPipeline does, including its legacy output shape when {@code top_k} is not given.
 */
public final class TextClassificationPipeline extends EncoderTaskPipeline {
    private static final Set<String> KEYS = keys();

    private final List<String> labels;
    private final String defaultFunction;

    private TextClassificationPipeline(EncoderModel model, String task) {
        super(model, task);
        TransformerModel m = model.model();
        int n = numLabels(m);
        this.labels = m.labels(n);
        this.defaultFunction = TextClassification.defaultFunction(m.config().path("problem_type").asText(""), n);
    }

    public static TextClassificationPipeline open(TransformerModel m, PipelineContext context, String task) {
        return new TextClassificationPipeline(EncoderModel.open(m, context, List.of("logits")), task);
    }

    static int numLabels(TransformerModel m) {
        if (m.config().path("id2label").isObject() && m.config().path("id2label").size() > 0) {
            return m.config().path("id2label").size();
        }
        return m.config().path("num_labels").asInt(2);
    }

    private static Set<String> keys() {
        Set<String> k = new HashSet<>(Inputs.TOKENIZER_KEYS);
        k.addAll(List.of("top_k", "function_to_apply", "return_all_scores"));
        return Set.copyOf(k);
    }

    @Override
    public JsonNode run(List<JsonNode> inputs, PipelineArgs args) {
        TextClassification head = head(args);
        Inputs.requireSome(inputs, task);
        int max = Inputs.maxLength(args, model.tokenizer().maxLength());
        List<TokenSpans> encoded = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) encoded.add(encode(inputs.get(i), i).truncate(max, false));
        ArrayNode out = JSON.arrayNode();
        for (EncoderRow row : model.run(encoded, Inputs.batchSize(args))) {
            out.add(head.result(row.vector("logits")));
        }
        return out;
    }

    /**
     * The call's arguments read as transformers reads them. {@code top_k} absent: the legacy shape (one object per
     * input); an integer: the k best, sorted; JSON null: every label, sorted. {@code return_all_scores=true}: every
     * label in label order.
     */
    public TextClassification head(PipelineArgs args) {
        args.onlyKeys(KEYS);
        Inputs.checkTruncation(args);
        JsonNode topKNode = args.raw("top_k");
        boolean legacy = topKNode == null;
        Integer topK = 1;
        if (topKNode != null) {
            topK = topKNode.isNull() ? null : args.integer("top_k", 1, 1, Integer.MAX_VALUE);
        } else if (args.has("return_all_scores") && args.bool("return_all_scores", false)) {
            topK = null;
        }
        return new TextClassification(labels, function(args), topK, legacy);
    }

    /** The files and the read arguments another engine needs to classify as {@link #run} does with {@code args}. */
    public ClassifierFiles files(PipelineArgs args) {
        return model.files(Inputs.maxLength(args, model.tokenizer().maxLength()), Inputs.batchSize(args), head(args), null);
    }

    private String function(PipelineArgs args) {
        String f = args.string("function_to_apply", defaultFunction).toLowerCase(Locale.ROOT);
        if (!TextClassification.FUNCTIONS.contains(f)) {
            throw new InvalidArgumentsException("argument 'function_to_apply' must be one of softmax, sigmoid, none; got '"
                    + args.raw("function_to_apply").asText() + "'");
        }
        return f;
    }

    /** A text, or {@code {"text", "text_pair"}} for sentence-pair classifiers. */
    private TokenSpans encode(JsonNode input, int index) {
        if (input != null && input.isObject()) {
            JsonNode text = input.get("text");
            JsonNode pair = input.get("text_pair");
            if (text == null || !text.isTextual() || (pair != null && !pair.isNull() && !pair.isTextual())) {
                throw new InvalidArgumentsException(task + ": input " + (index + 1) + " must be text or an object"
                        + " {\"text\": ..., \"text_pair\": ...} with string values, got " + input);
            }
            for (var it = input.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!k.equals("text") && !k.equals("text_pair")) {
                    throw new InvalidArgumentsException(task + ": input " + (index + 1) + " has key '" + k
                            + "'; an input object takes only 'text' and 'text_pair'");
                }
            }
            return model.tokenizer().spans(text.asText(), pair == null || pair.isNull() ? null : pair.asText());
        }
        return model.tokenizer().spans(Inputs.text(input, task, index), null);
    }
}
