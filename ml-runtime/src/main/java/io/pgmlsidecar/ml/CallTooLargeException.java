package io.pgmlsidecar.ml;

/**
 * A call refused before it allocated because its predicted memory exceeds {@link CallMemoryBudget}. Not an
 * {@link MlException} (which the planner reports as a model failure, 38000): the planner reports it as 54000
 * (program_limit_exceeded), with {@link #hint()}.
 */
public final class CallTooLargeException extends RuntimeException {
    private final String hint;

    public CallTooLargeException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }
}
