package io.pgmlsidecar.ml.tabular;

/** Thrown when the {@code cancelled} supplier of a {@link FitContext} reports true (SQLSTATE 57014). */
public class TrainingCancelledException extends TabularException {
    public TrainingCancelledException() {
        super("canceling statement due to user request: training was cancelled");
    }
}
