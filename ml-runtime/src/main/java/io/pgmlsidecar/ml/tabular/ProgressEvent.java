package io.pgmlsidecar.ml.tabular;

/**
 * A progress report of a training run.
 *
 * @param phase   e.g. "split", "preprocess", "fit", "search", "score", "done"
 * @param message a human readable line (suitable for a NOTICE)
 * @param step    steps done in this phase (boosting rounds, epochs, trees, candidates), or -1
 * @param total   total steps of this phase, or -1 when unknown
 */
public record ProgressEvent(String phase, String message, long step, long total) {
    public double fraction() {
        return total > 0 && step >= 0 ? Math.min(1.0, (double) step / total) : Double.NaN;
    }
}
