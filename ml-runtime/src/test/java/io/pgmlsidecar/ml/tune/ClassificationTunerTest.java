package io.pgmlsidecar.ml.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.ml.pipelines.Pooling;
import io.pgmlsidecar.ml.store.ModelSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training arguments change what training does; bad inputs fail clearly; an interrupt stops training. */
class ClassificationTunerTest {
    @TempDir
    Path tmp;
    ModelSource base;
    final ClassificationTuner tuner = new ClassificationTuner(TuneFixtures.SESSIONS);
    /** 64 examples: a multiple of the batch size, so every epoch sees the same full batches. */
    final List<LabeledText> train = TuneFixtures.sentiment(64, 11, 2);
    final List<LabeledText> test = TuneFixtures.sentiment(40, 12, 2);

    @BeforeEach
    void setUp() throws Exception {
        base = TuneFixtures.tinyBase(tmp.resolve("base"), Pooling.MEAN, true);
    }

    static class Recorder implements TuneListener {
        final List<TuneProgress> logs = new ArrayList<>(), epochs = new ArrayList<>();
        final List<TuneEvaluation> evals = new ArrayList<>();

        @Override public void onLog(TuneProgress p) { logs.add(p); }
        @Override public void onEpochEnd(TuneProgress p) { epochs.add(p); }
        @Override public void onEvaluate(TuneEvaluation e) { evals.add(e); }
    }

    @Test
    void learnsAndReportsEpochsStepsAndEvaluations() {
        Recorder r = new Recorder();
        TunedClassifier m = tuner.tune(base, train, test, TuneFixtures.args(
                "{\"learning_rate\": 0.05, \"num_train_epochs\": 4, \"per_device_train_batch_size\": 16, \"logging_steps\": 3}"), r);
        assertEquals(4, r.epochs.size());
        assertEquals(4, r.evals.size());
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0), r.epochs.stream().map(TuneProgress::epoch).toList());
        assertEquals(List.of(4L, 8L, 12L, 16L), r.epochs.stream().map(TuneProgress::step).toList());
        assertEquals(16, m.history().totalSteps());
        assertEquals(5, r.logs.size()); // steps 3, 6, 9, 12, 15
        assertEquals(0.75, r.logs.get(0).epoch(), 1e-12);
        // linear decay to 0, logged as HF does: the scheduler's rate after the step
        assertEquals(0.05 * 13 / 16, r.logs.get(0).learningRate(), 1e-12);
        assertEquals(0.05 * 8 / 16, r.epochs.get(1).learningRate(), 1e-12);
        assertEquals(0.0, r.epochs.get(3).learningRate(), 1e-12);
        assertTrue(r.epochs.get(3).loss() < r.epochs.get(0).loss(), "loss falls: " + r.epochs);
        assertTrue(m.evaluation().accuracy() >= 0.9, m.evaluation().toString());
        assertEquals(List.of("negative", "positive"), m.labels());
    }

    @Test
    void fractionalEpochsAndMaxSteps() {
        Recorder r = new Recorder();
        tuner.tune(base, train, List.of(), TuneFixtures.args("{\"num_train_epochs\": 1.5, \"per_device_train_batch_size\": 16}"), r);
        assertEquals(List.of(1.0, 1.5), r.epochs.stream().map(TuneProgress::epoch).toList());
        Recorder s = new Recorder();
        TunedClassifier m = tuner.tune(base, train, List.of(), TuneFixtures.args("{\"max_steps\": 5, \"per_device_train_batch_size\": 16}"), s);
        assertEquals(5, m.history().totalSteps());
        assertEquals(List.of(4L, 5L), s.epochs.stream().map(TuneProgress::step).toList());
    }

    @Test
    void zeroLearningRateLeavesLossAndHeadUnchanged() {
        Recorder r = new Recorder();
        TrainingArguments args = TuneFixtures.args("{\"learning_rate\": 0, \"num_train_epochs\": 3, \"per_device_train_batch_size\": 16}");
        TunedClassifier m = tuner.tune(base, train, test, args, r);
        double first = r.epochs.get(0).loss();
        for (TuneProgress p : r.epochs) assertEquals(first, p.loss(), 1e-12);
        for (TuneEvaluation e : r.evals) assertEquals(r.evals.get(0).metrics().loss(), e.metrics().loss(), 1e-12);
        // same head as a fresh initialization with that seed
        ClassificationHead init = ClassificationHead.initialized(m.head().inputSize(), 2, HeadTrainer.INIT_STD,
                new java.util.Random(args.seed()));
        assertArrayEquals(init.weightRow(1), m.head().weightRow(1));
    }

    @Test
    void seedMakesRunsReproducible() {
        String a = "{\"learning_rate\": 0.05, \"num_train_epochs\": 2, \"seed\": 5}";
        TunedClassifier x = tuner.tune(base, train, List.of(), TuneFixtures.args(a), null);
        TunedClassifier y = tuner.tune(base, train, List.of(), TuneFixtures.args(a), null);
        TunedClassifier z = tuner.tune(base, train, List.of(), TuneFixtures.args(a.replace("5}", "6}")), null);
        assertArrayEquals(x.head().weightRow(0), y.head().weightRow(0));
        assertEquals(x.history(), y.history());
        assertFalse(java.util.Arrays.equals(x.head().weightRow(0), z.head().weightRow(0)));
        assertNotEquals(x.history().epochs().get(0).loss(), z.history().epochs().get(0).loss());
    }

    @Test
    void weightDecayShrinksTheWeights() {
        String a = "{\"learning_rate\": 0.05, \"num_train_epochs\": 3, \"weight_decay\": %s}";
        TunedClassifier plain = tuner.tune(base, train, List.of(), TuneFixtures.args(a.formatted("0")), null);
        TunedClassifier decayed = tuner.tune(base, train, List.of(), TuneFixtures.args(a.formatted("5")), null);
        assertTrue(norm(decayed.head().weightRow(0)) < norm(plain.head().weightRow(0)));
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return Math.sqrt(s);
    }

    @Test
    void badInputsFailClearly() {
        TrainingArguments args = TrainingArguments.defaults();
        TuneException one = assertThrows(TuneException.class, () -> tuner.tune(base,
                List.of(LabeledText.of("good", "a"), LabeledText.of("bad", "a")), List.of(), args, null));
        assertTrue(one.getMessage().contains("at least 2 distinct classes"), one.getMessage());
        assertTrue(assertThrows(TuneException.class, () -> tuner.tune(base, List.of(), List.of(), args, null))
                .getMessage().contains("no training examples"));
        assertTrue(assertThrows(TuneException.class, () -> tuner.tune(base,
                List.of(LabeledText.of("good", "a"), LabeledText.of(null, "b")), List.of(), args, null))
                .getMessage().contains("example 2 has a NULL text"));
        assertTrue(assertThrows(TuneException.class, () -> tuner.tune(base,
                List.of(LabeledText.of("good", "a"), LabeledText.of("bad", null)), List.of(), args, null))
                .getMessage().contains("NULL class"));
        assertTrue(assertThrows(TuneException.class, () -> tuner.tune(base,
                List.of(LabeledText.of("good", "a"), LabeledText.pair("bad", "cat", "b")), List.of(), args, null))
                .getMessage().contains("is a text pair"));
        assertTrue(assertThrows(TuneException.class, () -> tuner.tune(base, train,
                List.of(LabeledText.of("good", "unseen")), args, null)).getMessage().contains("'unseen'"));
    }

    @Test
    void interruptStopsTraining() {
        Recorder seen = new Recorder() {
            @Override public void onLog(TuneProgress p) {
                super.onLog(p);
                if (p.step() == 2) Thread.currentThread().interrupt();
            }
        };
        try {
            assertThrows(TuningCancelledException.class, () -> tuner.tune(base, train, List.of(),
                    TuneFixtures.args("{\"num_train_epochs\": 50, \"logging_steps\": 1}"), seen));
            assertEquals(2, seen.logs.size());
            assertTrue(seen.epochs.isEmpty());
        } finally {
            Thread.interrupted();
        }
        // interrupted before it starts: nothing is encoded
        Thread.currentThread().interrupt();
        try {
            assertThrows(TuningCancelledException.class, () -> tuner.tune(base, train, List.of(), TrainingArguments.defaults(), null));
        } finally {
            Thread.interrupted();
        }
    }
}
