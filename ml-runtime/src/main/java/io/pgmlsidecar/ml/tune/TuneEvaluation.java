package io.pgmlsidecar.ml.tune;

/**
 * Held-out evaluation at the end of an epoch (HF {@code evaluation_strategy="epoch"}).
 *
 * @param step    optimizer steps done so far
 * @param epoch   fractional epoch
 * @param metrics loss, accuracy and f1 on the evaluation examples
 */
public record TuneEvaluation(long step, double epoch, ClassificationMetrics metrics) {}
