package io.pgmlsidecar.bench;

import java.util.Arrays;

/** The arithmetic the benchmark programs share: elapsed seconds, medians of rounds. */
final class Measure {
    private Measure() {}

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The median (the upper one of an even count). */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
