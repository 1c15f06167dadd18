package io.pgmlsidecar.planner.metrics;

import io.pgmlsidecar.ml.CallTooLargeException;
import io.pgmlsidecar.ml.store.ModelDownloadRefusedException;
import io.pgmlsidecar.proxy.intercept.PgException;

/**
 * The errors every API call can meet whatever its function, turned into PostgreSQL errors at the one boundary all
 * calls pass ({@link CallMetrics#measure}): the JVM out of memory inside a model call (53200), a call refused
 * before it allocated because it is predicted over the per-call memory budget (54000), a model download refused by
 * the address policy (42501).
 */
final class CallLimits {
    private CallLimits() {}

    /**
     * The PostgreSQL error for {@code t}, or null when {@code t} is not one of these.
     *
     * @param model the call's first argument (the model, project or task), quoted in the message; may be null
     */
    static PgException translate(Throwable t, String function, String model) {
        if (t instanceof OutOfMemoryError oom) {
            // the failed allocation was never made and what the call held is unreachable now: the heap is back
            String shown = model == null ? null : model.length() <= 200 ? model : model.substring(0, 200) + "…";
            String named = shown == null || shown.isEmpty() ? "" : " for '" + shown + "'";
            return new PgException("53200", function + " ran out of memory" + named + " (" + firstLine(oom.getMessage())
                    + "); the statement was stopped, the session and other sessions go on",
                    "Call it with less at a time: a smaller batch_size, a shorter max_length or max_new_tokens, fewer "
                            + "rows; or the sidecar's operator gives it more heap (-Xmx) or a lower --call-memory-budget "
                            + "so that such calls are refused before they allocate.");
        }
        if (t instanceof CallTooLargeException big) {
            return new PgException("54000", big.getMessage(), big.hint());
        }
        if (t instanceof ModelDownloadRefusedException refused) {
            return new PgException("42501", refused.getMessage(), refused.hint());
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) return "Java heap space";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
