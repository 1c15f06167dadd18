package io.pgmlsidecar.bench;

import java.util.Arrays;

/** The arithmetic the benchmark programs share: elapsed seconds, medians of rounds. */
final class Measure {
    private Measure() {}

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The median (the upper one of an even count). */
    /** User + system CPU time of process {@code pid} so far, in µs (from /proc, Linux only). */
    static long cpuMicros(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the command name, which is in parentheses and may hold spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
            return ticks * 1_000_000L / CLOCK_TICKS_PER_SECOND;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK) is not reachable from Java). */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
