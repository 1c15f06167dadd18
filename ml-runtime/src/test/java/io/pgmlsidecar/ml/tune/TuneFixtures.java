package io.pgmlsidecar.ml.tune;

import io.pgmlsidecar.ml.TinyModel;
import io.pgmlsidecar.ml.onnx.Device;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.pipelines.Pooling;
import io.pgmlsidecar.ml.store.ModelArtifact;
import io.pgmlsidecar.ml.store.ModelProfile;
import io.pgmlsidecar.ml.store.ModelSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Shared pieces of the tuning tests: the tiny BERT-like model as a base and small labelled sets. */
final class TuneFixtures {
    static final OrtSessions SESSIONS = new OrtSessions(Device.CPU, 1);
    static final TinyModel TINY = new TinyModel(7);
    private static final List<String> NEUTRAL = List.of("the", "cat", "sat", "on", "mat", "dog", "ran", "fast", "a", "hello", "world");

    private TuneFixtures() {}

    /** The tiny model written in HF layout under {@code dir}, resolved as a base with the given profile. */
    static ModelSource tinyBase(Path dir, Pooling pooling, boolean normalize) throws IOException {
        String mode = pooling == Pooling.CLS ? "cls" : "mean";
        TINY.writeHfLayout(dir, false, mode, normalize, 16);
        return new ModelSource("test/tiny-" + mode, "test " + dir, ModelArtifact.file(dir.resolve("model.onnx")),
                ModelArtifact.file(dir.resolve("tokenizer.json")), ModelProfile.of(pooling, normalize, 16));
    }

    /** Sentences of neutral words with "good" or "bad" (or "!" for a third class) somewhere: label by that word. */
    static List<LabeledText> sentiment(int n, long seed, int classes) {
        Random r = new Random(seed);
        String[] marker = {"good", "bad", "!"};
        String[] label = {"positive", "negative", "excited"};
        List<LabeledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            out.add(LabeledText.of(sentence(r, marker[c]), label[c]));
        }
        return out;
    }

    /** Pairs whose second text repeats ("same") or does not repeat ("different") the first text's marker. */
    static List<LabeledText> pairs(int n, long seed) {
        Random r = new Random(seed);
        List<LabeledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean positive = i % 2 == 0;
            out.add(LabeledText.pair(sentence(r, positive ? "good" : "bad"), sentence(r, "cat"), positive ? "yes" : "no"));
        }
        return out;
    }

    private static String sentence(Random r, String marker) {
        int len = 1 + r.nextInt(5);
        List<String> words = new ArrayList<>();
        for (int k = 0; k < len; k++) words.add(NEUTRAL.get(r.nextInt(NEUTRAL.size())));
        words.add(r.nextInt(words.size() + 1), marker);
        return String.join(" ", words);
    }

    static TrainingArguments args(String json) {
        return TrainingArguments.parse(json);
    }
}
