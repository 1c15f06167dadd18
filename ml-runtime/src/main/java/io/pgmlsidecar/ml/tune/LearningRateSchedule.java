package io.pgmlsidecar.ml.tune;

/**
 * HF's learning-rate schedules (transformers.optimization): the rate for 0-based step {@code s} is the
 * peak rate times a factor; linear = warmup from 0 then linear decay to 0 at the last step.
 */
record LearningRateSchedule(String type, double peak, long warmupSteps, long totalSteps) {

    static LearningRateSchedule of(TrainingArguments args, long totalSteps) {
        long warmup = args.warmupSteps() > 0 ? args.warmupSteps() : (long) Math.ceil(args.warmupRatio() * totalSteps);
        return new LearningRateSchedule(args.lrSchedulerType(), args.learningRate(), warmup, totalSteps);
    }

    double at(long step) {
        return peak * factor(step);
    }

    private double factor(long step) {
        if (type.equals("constant")) return 1.0;
        if (step < warmupSteps) return (double) step / Math.max(1, warmupSteps);
        if (type.equals("constant_with_warmup")) return 1.0;
        return Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }
}
