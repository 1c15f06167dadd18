package io.pgmlsidecar.ml.tune;

/** Training stopped because the calling thread was interrupted (statement cancel; SQLSTATE 57014). */
public class TuningCancelledException extends TuneException {
    public TuningCancelledException() {
        super("canceling statement due to user request: fine-tuning was cancelled");
    }

    /** Throws when the current thread has been interrupted; keeps the interrupt flag set for the caller. */
    static void checkInterrupt() {
        if (Thread.currentThread().isInterrupted()) throw new TuningCancelledException();
    }
}
