package io.pgmlsidecar.ml;

/**
 * The most heap one model call may be predicted to need. Where a call's memory can be known before it is allocated
 * (an embedding batch's token vectors: texts × tokens × hidden size; a training matrix: rows × columns), a call over
 * the budget is refused with {@link CallTooLargeException} instead of letting the JVM run out of memory, which
 * would fail whichever session allocated next. One budget per process, set by the launcher
 * ({@code --call-memory-budget}); by default a quarter of the maximum heap.
 */
public final class CallMemoryBudget {
    private static volatile long bytes;

    private CallMemoryBudget() {}

    /** Sets the budget; 0 = a quarter of the maximum heap. */
    public static void set(long budgetBytes) {
        if (budgetBytes < 0) throw new IllegalArgumentException("call memory budget must be >= 0: " + budgetBytes);
        bytes = budgetBytes;
    }

    /** The budget in bytes now. */
    public static long bytes() {
        long b = bytes;
        return b > 0 ? b : Runtime.getRuntime().maxMemory() / 4;
    }

    /**
     * Refuses a call predicted to need {@code predictedBytes}.
     *
     * @param model  the model (or training) the call is for, named in the message
     * @param what   what needs the memory, e.g. "32 texts × 512 tokens × 1024 dimensions"
     * @param smaller what the caller can make smaller, for the hint
     */
    public static void check(String model, String what, long predictedBytes, String smaller) {
        long budget = bytes();
        if (predictedBytes <= budget) return;
        throw new CallTooLargeException(model + ": " + what + " would need about " + mib(predictedBytes)
                + " of memory, over the sidecar's per-call budget of " + mib(budget),
                smaller + ", or the sidecar's operator raises --call-memory-budget (and the heap, -Xmx).");
    }

    /** Overflow-safe product of non-negative factors (saturates at Long.MAX_VALUE). */
    public static long product(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f <= 0) return 0;
            if (p > Long.MAX_VALUE / f) return Long.MAX_VALUE;
            p *= f;
        }
        return p;
    }

    private static String mib(long b) {
        return b == Long.MAX_VALUE ? "more than the address space" : (b + (1 << 20) - 1) / (1 << 20) + " MiB";
    }
}
