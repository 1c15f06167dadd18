package io.pgmlsidecar.planner.bulk;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** A running bulk embedding or classification. Its staging table is the job's until {@link #close} or {@link #releaseAfterTransaction}. */
public interface BulkJob extends AutoCloseable {

    /** Waits until every row is staged; returns how many. {@code progress} gets the job's messages. */
    long awaitStaged(Consumer<String> progress, BooleanSupplier cancelled);

    /**
     * The session has read the staging table in the client's transaction (which now holds a lock on it): drop it once
     * that transaction ends, commit or rollback, then end the job. Returns at once.
     */
    void releaseAfterTransaction();

    /** Ends the job whatever state it is in: the process, the staging table, the credential. */
    @Override
    void close();
}
