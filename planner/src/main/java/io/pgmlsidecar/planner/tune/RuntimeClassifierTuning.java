package io.pgmlsidecar.planner.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.onnx.Device;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.store.ModelLocator;
import io.pgmlsidecar.ml.tune.LabeledText;
import io.pgmlsidecar.ml.tune.TextClassificationTuning;
import io.pgmlsidecar.ml.tune.TrainingArguments;
import io.pgmlsidecar.ml.tune.TuneEvaluation;
import io.pgmlsidecar.ml.tune.TuneListener;
import io.pgmlsidecar.ml.tune.TuneProgress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * pgml.tune's text classification on the runtime's tuner: the encoder stays frozen and only the
 * classification head trains. HF's {@code learning_rate} is meant for the whole network (2e-5 in
 * PostgresML's examples) and barely moves a lone head, so the head has its own rate,
 * {@code head_learning_rate} (default {@value #DEFAULT_HEAD_LEARNING_RATE}); {@code learning_rate}
 * is reported as without effect. Log entries follow HF Trainer's: loss, learning_rate, epoch, step;
 * eval_loss, eval_accuracy, eval_f1 per epoch.
 */
public final class RuntimeClassifierTuning implements ClassifierTuning {
    static final double DEFAULT_HEAD_LEARNING_RATE = 1e-2;

    private final TextClassificationTuning tuning;

    public RuntimeClassifierTuning(MlConfig config) {
        this.tuning = new TextClassificationTuning(ModelLocator.standard(config),
                new OrtSessions(Device.parse(config.device()), config.intraOpThreads()));
    }

    @Override
    public Tuned tune(String baseModel, List<Example> train, List<Example> test, JsonNode trainingArgs, Path outputDir,
                      Consumer<Map<String, Object>> logs, BooleanSupplier cancelled) {
        ObjectNode args = trainingArgs.deepCopy();
        boolean encoderRate = args.has("learning_rate");
        args.remove("learning_rate");
        args.put("learning_rate", args.has("head_learning_rate") ? args.get("head_learning_rate").asDouble() : DEFAULT_HEAD_LEARNING_RATE);
        args.remove("head_learning_rate");
        TuneListener listener = new TuneListener() {
            @Override
            public void onLog(TuneProgress p) {
                check();
                logs.accept(entry("loss", p.loss(), "learning_rate", p.learningRate(), "epoch", p.epoch(), "step", p.step()));
            }

            @Override
            public void onEvaluate(TuneEvaluation e) {
                check();
                logs.accept(entry("eval_loss", e.metrics().loss(), "eval_accuracy", e.metrics().accuracy(), "eval_f1", e.metrics().f1(),
                        "epoch", e.epoch(), "step", e.step()));
            }

            private void check() {
                if (cancelled.getAsBoolean()) {
                    Thread.currentThread().interrupt(); // the tuner stops at its next check
                }
            }
        };
        TextClassificationTuning.Outcome out;
        try {
            out = tuning.tune(new TextClassificationTuning.Request(baseModel, labeled(train), labeled(test),
                    TrainingArguments.parse(args), listener, outputDir));
        } finally {
            Thread.interrupted(); // the interrupt was only for the tuner
        }
        List<String> ignored = new ArrayList<>(out.ignoredArguments());
        if (encoderRate) {
            ignored.add("learning_rate (the encoder is frozen; the head trains with head_learning_rate)");
        }
        return new Tuned(new LinkedHashMap<>(out.metrics()), ignored);
    }

    private static List<LabeledText> labeled(List<Example> examples) {
        List<LabeledText> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            out.add(e.texts().size() == 2 ? LabeledText.pair(e.texts().get(0), e.texts().get(1), e.label())
                    : LabeledText.of(e.texts().get(0), e.label()));
        }
        return out;
    }

    /** A log entry, stamped with the time it happened (the rows are written after training). */
    private static Map<String, Object> entry(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        m.put("timestamp", java.time.LocalDateTime.now().toString().replace('T', ' '));
        return m;
    }
}
