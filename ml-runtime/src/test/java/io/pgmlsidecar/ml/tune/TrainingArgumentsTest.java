package io.pgmlsidecar.ml.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingArgumentsTest {
    @Test
    void defaultsAreHuggingFaces() {
        TrainingArguments d = TrainingArguments.parse("{}");
        assertEquals(5e-5, d.learningRate());
        assertEquals(3.0, d.numTrainEpochs());
        assertEquals(8, d.perDeviceTrainBatchSize());
        assertEquals(0.0, d.weightDecay());
        assertEquals(42, d.seed());
        assertEquals(500.0, d.loggingSteps());
        assertEquals(1.0, d.maxGradNorm());
        assertEquals("linear", d.lrSchedulerType());
        assertEquals(d, TrainingArguments.parse((String) null));
    }

    @Test
    void pgmlExampleParsesAndReportsIgnoredKeys() {
        TrainingArguments a = TrainingArguments.parse("{\"learning_rate\": 2e-5, \"num_train_epochs\": 2,"
                + " \"per_device_train_batch_size\": 16, \"per_device_eval_batch_size\": 16, \"weight_decay\": 0.01,"
                + " \"seed\": \"7\", \"output_dir\": \"x\", \"fp16\": true, \"warmup_ratio\": 0.1, \"logging_steps\": 10}");
        assertEquals(2e-5, a.learningRate());
        assertEquals(2.0, a.numTrainEpochs());
        assertEquals(16, a.perDeviceTrainBatchSize());
        assertEquals(0.01, a.weightDecay());
        assertEquals(7, a.seed());
        assertEquals(0.1, a.warmupRatio());
        assertEquals(10.0, a.loggingSteps());
        assertEquals(List.of("per_device_eval_batch_size", "output_dir", "fp16"), a.ignored());
    }

    @Test
    void wrongTypesNameTheKey() {
        TrainingArgumentException e = assertThrows(TrainingArgumentException.class,
                () -> TrainingArguments.parse("{\"learning_rate\": \"fast\"}"));
        assertEquals("learning_rate", e.key());
        assertTrue(e.getMessage().contains("training_args.learning_rate") && e.getMessage().contains("expected a number"),
                e.getMessage());
        assertEquals("per_device_train_batch_size", assertThrows(TrainingArgumentException.class,
                () -> TrainingArguments.parse("{\"per_device_train_batch_size\": 2.5}")).key());
        assertEquals("num_train_epochs", assertThrows(TrainingArgumentException.class,
                () -> TrainingArguments.parse("{\"num_train_epochs\": [1]}")).key());
        assertEquals("num_train_epochs", assertThrows(TrainingArgumentException.class,
                () -> TrainingArguments.parse("{\"num_train_epochs\": 0}")).key());
        assertEquals("lr_scheduler_type", assertThrows(TrainingArgumentException.class,
                () -> TrainingArguments.parse("{\"lr_scheduler_type\": \"cosine\"}")).key());
        assertEquals("learning_rate", assertThrows(TrainingArgumentException.class,
                () -> TrainingArguments.parse("{\"learning_rate\": -1}")).key());
        assertThrows(TuneException.class, () -> TrainingArguments.parse("[1, 2]"));
        assertThrows(TuneException.class, () -> TrainingArguments.parse("{oops"));
    }

    @Test
    void linearScheduleWithWarmup() {
        TrainingArguments a = TrainingArguments.parse("{\"learning_rate\": 1.0, \"warmup_steps\": 2}");
        LearningRateSchedule s = LearningRateSchedule.of(a, 10);
        assertEquals(0.0, s.at(0), 1e-12);
        assertEquals(0.5, s.at(1), 1e-12);
        assertEquals(1.0, s.at(2), 1e-12);
        assertEquals(0.5, s.at(6), 1e-12);
        assertEquals(0.125, s.at(9), 1e-12);
        LearningRateSchedule ratio = LearningRateSchedule.of(TrainingArguments.parse("{\"warmup_ratio\": 0.25}"), 10);
        assertEquals(3, ratio.warmupSteps());
    }
}
