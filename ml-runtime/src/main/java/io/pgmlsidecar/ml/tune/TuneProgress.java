package io.pgmlsidecar.ml.tune;

/**
 * A training log entry, like the dicts HF Trainer passes to {@code on_log}.
 *
 * @param kind         a logging-step entry or the end of an epoch
 * @param step         optimizer steps done so far (1-based, as HF's {@code global_step})
 * @param epoch        fractional epoch, e.g. 1.5 halfway through the second epoch
 * @param loss         mean training cross-entropy over the mini-batches since the previous entry of this kind
 * @param learningRate the scheduler's rate after this step (the next step's rate; 0 after the last), as HF logs it
 */
public record TuneProgress(Kind kind, long step, double epoch, double loss, double learningRate) {
    public enum Kind { LOG, EPOCH }
}
