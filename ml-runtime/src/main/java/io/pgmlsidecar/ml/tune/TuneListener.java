package io.pgmlsidecar.ml.tune;

/**
 * Receives training progress (e.g. to write {@code pgml.logs}). Called on the training thread;
 * an exception thrown here aborts training.
 */
public interface TuneListener {
    TuneListener NONE = new TuneListener() {};

    /** Every {@code logging_steps} optimizer steps. */
    default void onLog(TuneProgress progress) {}

    /** At the end of every epoch (and of the last, partial one when num_train_epochs is fractional). */
    default void onEpochEnd(TuneProgress progress) {}

    /** After {@link #onEpochEnd} when evaluation examples were given. */
    default void onEvaluate(TuneEvaluation evaluation) {}
}
