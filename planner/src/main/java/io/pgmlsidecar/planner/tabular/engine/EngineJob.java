package io.pgmlsidecar.planner.tabular.engine;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** A running training job. {@link #close} ends it whatever state it is in and revokes its credential. */
public interface EngineJob extends AutoCloseable {

    /**
     * Waits until the job has read the relation. {@code progress} gets the job's messages; {@code cancelled} stops the wait.
     */
    ReadSummary awaitRead(Consumer<String> progress, BooleanSupplier cancelled);

    /**
     * Rows per range, ranges in ctid order (range p holds rows {@code sum(counts[0..p))} onwards), and per range
     * Σ (i + 1)·(label + 1) over its rows i (booleans 0/1): the session's read must give the same.
     */
    record ReadSummary(long[] counts, double[] checksums) {}

    /** Trains on the rows the command keeps; the booster as XGBoost saves it. */
    byte[] fit(FitCommand command, Consumer<String> progress, BooleanSupplier cancelled);

    @Override
    void close();
}
