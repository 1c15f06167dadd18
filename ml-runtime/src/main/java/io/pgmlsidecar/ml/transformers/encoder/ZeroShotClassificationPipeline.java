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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code zero-shot-classification} with an NLI model: each (input, hypothesis made from a candidate
 * label) pair is classified; the labels are ranked by entailment, softmaxed across labels, or, with
 * {@code multi_label} (or a single label), each label on its own by entailment vs contradiction.
 */
public final class ZeroShotClassificationPipeline extends EncoderTaskPipeline {
    private static final Set<String> KEYS = keys();

    private final int entailment;
    private final int contradiction;

    private ZeroShotClassificationPipeline(EncoderModel model, String task) {
        super(model, task);
        Map<String, Integer> label2id = model.model().label2id();
        Integer entail = null, contra = null;
        for (Map.Entry<String, Integer> e : label2id.entrySet()) {
            String l = e.getKey().toLowerCase(Locale.ROOT);
            if (entail == null && l.startsWith("entail")) entail = e.getValue();
            if (contra == null && l.startsWith("contra")) contra = e.getValue();
        }
        if (entail == null) {
            throw new ModelFormatException("zero-shot-classification: model '" + model.model().name() + "' is not an NLI"
                    + " model: config.json's label2id " + label2id.keySet() + " has no label starting with 'entail'");
        }
        this.entailment = entail;
        // transformers' fallback when no label says contradiction: index 0, or the last when 0 is entailment
        this.contradiction = contra != null ? contra : entail == 0 ? -1 : 0;
    }

    public static ZeroShotClassificationPipeline open(TransformerModel m, PipelineContext context, String task) {
        return new ZeroShotClassificationPipeline(EncoderModel.open(m, context, List.of("logits")), task);
    }

    private static Set<String> keys() {
        Set<String> k = new HashSet<>(Inputs.TOKENIZER_KEYS);
        k.addAll(List.of("candidate_labels", "hypothesis_template", "multi_label"));
        return Set.copyOf(k);
    }

    @Override
    public JsonNode run(List<JsonNode> inputs, PipelineArgs args) {
        args.onlyKeys(KEYS);
        Inputs.requireSome(inputs, task);
        Inputs.checkTruncation(args);
        List<String> labels = labels(args);
        String template = args.string("hypothesis_template", "This example is {}.");
        if (!template.contains("{}")) {
            throw new InvalidArgumentsException("argument 'hypothesis_template' (\"" + template + "\") was not able to be"
                    + " formatted with the target labels: include {} where the label should go");
        }
        boolean multiLabel = args.bool("multi_label", false);
        int max = Inputs.maxLength(args, model.tokenizer().maxLength());
        List<String> texts = new ArrayList<>();
        List<TokenSpans> pairs = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String text = Inputs.text(inputs.get(i), task, i);
            texts.add(text);
            for (String label : labels) {
                // the premise is what gets cut when a pair is too long, as transformers' only_first
                pairs.add(model.tokenizer().spans(text, template.replace("{}", label)).truncate(max, true));
            }
        }
        List<EncoderRow> rows = model.run(pairs, Inputs.batchSize(args));
        ArrayNode out = JSON.arrayNode();
        for (int i = 0; i < texts.size(); i++) {
            float[] scores = new float[labels.size()];
            float[] entailLogits = new float[labels.size()];
            for (int l = 0; l < labels.size(); l++) {
                float[] logits = rows.get(i * labels.size() + l).vector("logits");
                int contra = contradiction < 0 ? logits.length - 1 : contradiction;
                entailLogits[l] = logits[entailment];
                if (multiLabel || labels.size() == 1) {
                    scores[l] = Scores.softmax(new float[] {logits[contra], logits[entailment]})[1];
                }
            }
            if (!(multiLabel || labels.size() == 1)) scores = Scores.softmax(entailLogits);
            List<Integer> order = new ArrayList<>();
            for (int l = 0; l < labels.size(); l++) order.add(l);
            final float[] s = scores;
            // transformers ranks with reversed(argsort): ascending (ties in label order), then reversed
            order.sort((a, b) -> Float.compare(s[a], s[b]));
            java.util.Collections.reverse(order);
            ObjectNode o = out.addObject();
            o.put("sequence", texts.get(i));
            ArrayNode ls = o.putArray("labels");
            ArrayNode ss = o.putArray("scores");
            for (int l : order) {
                ls.add(labels.get(l));
                ss.add((double) s[l]);
            }
        }
        return out;
    }

    /** candidate_labels: a list, or one string of comma-separated labels. */
    private static List<String> labels(PipelineArgs args) {
        if (!args.has("candidate_labels")) {
            throw new InvalidArgumentsException("zero-shot-classification needs argument 'candidate_labels'"
                    + " (a list of labels, or a string of comma-separated labels)");
        }
        List<String> labels = new ArrayList<>();
        JsonNode raw = args.raw("candidate_labels");
        for (String l : args.strings("candidate_labels")) {
            if (raw.isTextual()) {
                for (String part : l.split(",")) if (!part.strip().isEmpty()) labels.add(part.strip());
            } else {
                labels.add(l);
            }
        }
        if (labels.isEmpty()) {
            throw new InvalidArgumentsException("argument 'candidate_labels' must include at least one label");
        }
        return labels;
    }
}
