package io.pgmlsidecar.ml.tune;

import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.store.ModelSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Fine-tunes a text classifier (text-classification and text-pair-classification) on CPU with ONNX
 * Runtime, which cannot train: the pretrained encoder stays frozen, its pooled sentence vectors are
 * computed once, and a linear head is trained on them (see {@link HeadTrainer}).
 *
 * <p>Labels are the sorted distinct training labels ({@link String#compareTo}), the order of HF
 * {@code datasets}' {@code class_encode_column} / {@code ClassLabel} built from the sorted unique
 * values; index {@code i} is {@code id2label[i]} of the export.
 */
public final class ClassificationTuner {
    private final OrtSessions sessions;

    public ClassificationTuner(OrtSessions sessions) {
        this.sessions = sessions;
    }

    /**
     * @param base     the base encoder (e.g. from {@code ModelLocator.locate(name)})
     * @param train    training examples; all single texts or all pairs
     * @param eval     held-out examples evaluated after every epoch; may be empty
     * @param args     training arguments
     * @param listener progress receiver
     * @throws TuneException             bad data (empty, null texts, fewer than two classes, ...)
     * @throws TuningCancelledException  the thread was interrupted
     */
    public TunedClassifier tune(ModelSource base, List<LabeledText> train, List<LabeledText> eval,
                                TrainingArguments args, TuneListener listener) {
        boolean pairs = validate(train, eval);
        List<String> labels = List.copyOf(new TreeSet<>(train.stream().map(LabeledText::label).toList()));
        if (labels.size() < 2) {
            throw new TuneException("classification needs at least 2 distinct classes in the training data, found "
                    + labels.size() + " (" + labels + ")");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) index.put(labels.get(i), i);
        int[] y = indexes(train, index, "training");
        int[] evalY = indexes(eval, index, "test");
        try (FrozenEncoder encoder = FrozenEncoder.open(base, sessions)) {
            float[][] x = encoder.encode(train);
            float[][] evalX = eval.isEmpty() ? null : encoder.encode(eval);
            HeadTrainer.Result r = new HeadTrainer(args, listener == null ? TuneListener.NONE : listener)
                    .train(x, y, labels.size(), evalX, evalY);
            return new TunedClassifier(base, encoder.pooling(), labels, pairs, r.head(), r.history(), r.lastEvaluation(), args);
        }
    }

    /** Returns whether the examples are pairs. */
    static boolean validate(List<LabeledText> train, List<LabeledText> eval) {
        if (train == null || train.isEmpty()) throw new TuneException("no training examples: the relation has no rows");
        Boolean pairs = null;
        for (List<LabeledText> set : List.of(train, eval == null ? List.<LabeledText>of() : eval)) {
            String what = set == train ? "training" : "test";
            for (int i = 0; i < set.size(); i++) {
                LabeledText e = set.get(i);
                if (e == null || e.text() == null) {
                    throw new TuneException(what + " example " + (i + 1) + " has a NULL text; filter NULLs out of the relation");
                }
                if (e.label() == null) {
                    throw new TuneException(what + " example " + (i + 1) + " has a NULL class; filter NULLs out of the relation");
                }
                if (pairs == null) pairs = e.isPair();
                else if (pairs != e.isPair()) {
                    throw new TuneException(what + " example " + (i + 1) + (e.isPair() ? " is a text pair" : " has a NULL second text")
                            + " while earlier examples " + (pairs ? "are pairs" : "are single texts"));
                }
            }
        }
        return pairs;
    }

    private static int[] indexes(List<LabeledText> set, Map<String, Integer> index, String what) {
        if (set == null) return new int[0];
        int[] y = new int[set.size()];
        for (int i = 0; i < y.length; i++) {
            Integer k = index.get(set.get(i).label());
            if (k == null) {
                throw new TuneException(what + " example " + (i + 1) + " has class '" + set.get(i).label()
                        + "' that no training example has; the classes are " + index.keySet().stream().sorted().toList());
            }
            y[i] = k;
        }
        return y;
    }
}
