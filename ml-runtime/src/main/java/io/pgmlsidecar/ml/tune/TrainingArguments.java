package io.pgmlsidecar.ml.tune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The subset of Hugging Face {@code TrainingArguments} that applies to training a classification
 * head on a frozen encoder, with HF's defaults. Keys HF knows but this engine has no use for
 * (output_dir, fp16, evaluation_strategy, push_to_hub, ...) are accepted and listed in
 * {@link #ignored()} so the caller can warn; a wrong type or value fails with a
 * {@link TrainingArgumentException} naming the key.
 *
 * @param learningRate              peak learning rate of AdamW (HF default 5e-5)
 * @param numTrainEpochs            epochs; fractional values train part of the last epoch, as in HF
 * @param maxSteps                  total optimizer steps when &gt; 0 (overrides the epochs), else -1
 * @param perDeviceTrainBatchSize   examples per mini-batch
 * @param gradientAccumulationSteps mini-batches per optimizer step (folded into one larger batch here)
 * @param weightDecay               decoupled weight decay (not applied to biases, like HF Trainer)
 * @param adamBeta1                 AdamW beta1
 * @param adamBeta2                 AdamW beta2
 * @param adamEpsilon               AdamW epsilon
 * @param maxGradNorm               gradient clipping by global norm; 0 disables (HF default 1.0)
 * @param lrSchedulerType           linear, constant or constant_with_warmup
 * @param warmupRatio               warmup as a fraction of the total steps (used when warmupSteps is 0)
 * @param warmupSteps               warmup steps
 * @param loggingSteps              log every this many steps; a value below 1 is a fraction of the total steps
 * @param seed                      seed of the head's initialization and the shuffling
 * @param ignored                   keys given but not used by this engine
 */
public record TrainingArguments(
        double learningRate,
        double numTrainEpochs,
        long maxSteps,
        int perDeviceTrainBatchSize,
        int gradientAccumulationSteps,
        double weightDecay,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double maxGradNorm,
        String lrSchedulerType,
        double warmupRatio,
        long warmupSteps,
        double loggingSteps,
        long seed,
        List<String> ignored) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SCHEDULERS = Set.of("linear", "constant", "constant_with_warmup");

    public TrainingArguments {
        ignored = List.copyOf(ignored);
        check(learningRate >= 0 && Double.isFinite(learningRate), "learning_rate", "must be a number >= 0, got " + learningRate);
        check(maxSteps > 0 || numTrainEpochs > 0 && Double.isFinite(numTrainEpochs), "num_train_epochs",
                "must be > 0 (or set max_steps), got " + numTrainEpochs);
        check(perDeviceTrainBatchSize >= 1, "per_device_train_batch_size", "must be >= 1, got " + perDeviceTrainBatchSize);
        check(gradientAccumulationSteps >= 1, "gradient_accumulation_steps", "must be >= 1, got " + gradientAccumulationSteps);
        check(weightDecay >= 0, "weight_decay", "must be >= 0, got " + weightDecay);
        check(adamBeta1 >= 0 && adamBeta1 < 1, "adam_beta1", "must be in [0, 1), got " + adamBeta1);
        check(adamBeta2 >= 0 && adamBeta2 < 1, "adam_beta2", "must be in [0, 1), got " + adamBeta2);
        check(adamEpsilon > 0, "adam_epsilon", "must be > 0, got " + adamEpsilon);
        check(maxGradNorm >= 0, "max_grad_norm", "must be >= 0, got " + maxGradNorm);
        check(SCHEDULERS.contains(lrSchedulerType), "lr_scheduler_type",
                "'" + lrSchedulerType + "' is not supported here (supported: " + String.join(", ", SCHEDULERS.stream().sorted().toList()) + ")");
        check(warmupRatio >= 0 && warmupRatio <= 1, "warmup_ratio", "must be in [0, 1], got " + warmupRatio);
        check(warmupSteps >= 0, "warmup_steps", "must be >= 0, got " + warmupSteps);
        check(loggingSteps > 0, "logging_steps", "must be > 0, got " + loggingSteps);
    }

    private static void check(boolean ok, String key, String problem) {
        if (!ok) throw new TrainingArgumentException(key, problem);
    }

    /** HF's defaults. */
    public static TrainingArguments defaults() {
        return new TrainingArguments(5e-5, 3, -1, 8, 1, 0, 0.9, 0.999, 1e-8, 1.0, "linear", 0, 0, 500, 42, List.of());
    }

    /** Parses a JSON object text (the {@code training_args} of pgml.tune's hyperparams); null or blank = defaults. */
    public static TrainingArguments parse(String json) {
        if (json == null || json.isBlank()) return defaults();
        try {
            return parse(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new TuneException("training_args is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Parses a JSON object; null or JSON null = defaults. */
    public static TrainingArguments parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return defaults();
        if (!node.isObject()) throw new TuneException("training_args must be a JSON object, got " + node.getNodeType());
        TrainingArguments d = defaults();
        double lr = d.learningRate, epochs = d.numTrainEpochs, wd = d.weightDecay, b1 = d.adamBeta1, b2 = d.adamBeta2;
        double eps = d.adamEpsilon, clip = d.maxGradNorm, warmupRatio = d.warmupRatio, logging = d.loggingSteps;
        long maxSteps = d.maxSteps, warmupSteps = d.warmupSteps, seed = d.seed;
        int batch = d.perDeviceTrainBatchSize, accumulation = d.gradientAccumulationSteps;
        String scheduler = d.lrSchedulerType;
        List<String> ignored = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            switch (k) {
                case "learning_rate" -> lr = number(k, v);
                case "num_train_epochs" -> epochs = number(k, v);
                case "max_steps" -> maxSteps = integer(k, v);
                case "per_device_train_batch_size", "train_batch_size" -> batch = Math.toIntExact(integer(k, v));
                case "gradient_accumulation_steps" -> accumulation = Math.toIntExact(integer(k, v));
                case "weight_decay" -> wd = number(k, v);
                case "adam_beta1" -> b1 = number(k, v);
                case "adam_beta2" -> b2 = number(k, v);
                case "adam_epsilon" -> eps = number(k, v);
                case "max_grad_norm" -> clip = number(k, v);
                case "lr_scheduler_type" -> scheduler = text(k, v).toLowerCase(Locale.ROOT);
                case "warmup_ratio" -> warmupRatio = number(k, v);
                case "warmup_steps" -> warmupSteps = integer(k, v);
                case "logging_steps" -> logging = number(k, v);
                case "seed" -> seed = integer(k, v);
                default -> ignored.add(k);
            }
        }
        return new TrainingArguments(lr, epochs, maxSteps, batch, accumulation, wd, b1, b2, eps, clip, scheduler,
                warmupRatio, warmupSteps, logging, seed, ignored);
    }

    /** Examples per optimizer step. */
    public int effectiveBatchSize() {
        return Math.multiplyExact(perDeviceTrainBatchSize, gradientAccumulationSteps);
    }

    /** Numbers, or strings holding numbers (JSON built in SQL often quotes them). */
    private static double number(String key, JsonNode v) {
        if (v.isNumber()) return v.asDouble();
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText().strip());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new TrainingArgumentException(key, "expected a number, got " + describe(v));
    }

    private static long integer(String key, JsonNode v) {
        double d = number(key, v);
        if (d != Math.rint(d) || Math.abs(d) > 1e15) {
            throw new TrainingArgumentException(key, "expected an integer, got " + describe(v));
        }
        return (long) d;
    }

    private static String text(String key, JsonNode v) {
        if (v.isTextual()) return v.asText();
        throw new TrainingArgumentException(key, "expected a string, got " + describe(v));
    }

    private static String describe(JsonNode v) {
        return v.getNodeType().toString().toLowerCase(Locale.ROOT) + " " + v;
    }
}
