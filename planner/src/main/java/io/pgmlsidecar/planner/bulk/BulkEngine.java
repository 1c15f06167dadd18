package io.pgmlsidecar.planner.bulk;

import java.util.Optional;
import java.util.function.Function;

/**
 * Somewhere other than the sidecar that embeds or classifies a whole table for {@code UPDATE t SET e = pgml.embed(m, body)}
 * or {@code UPDATE t SET c = pgml.transform('text-classification', args, ARRAY[body])} ({@code "engine": "spark"} in the
 * kwargs / args, or automatically above a row estimate). The engine reads the table as the calling role, runs the
 * sidecar's model files and fills a staging table; the sidecar applies it in the client's transaction. Implementations live in their own modules (spark-engine) and are found through {@link Provider} with
 * {@link java.util.ServiceLoader}. Failures are {@link io.pgmlsidecar.proxy.intercept.PgException}s.
 */
public interface BulkEngine {

    /** The name kwargs choose it by ("spark"). */
    String name();

    /** Updates that name no engine go to it when the table has at least this many rows (estimated); MAX_VALUE: never. */
    default long automaticAboveRows() {
        return Long.MAX_VALUE;
    }

    /** Starts a job that embeds the rows of {@code request} into its staging table; returns once it runs. */
    BulkJob start(BulkRequest request);

    /** Makes the engine from the sidecar's settings; empty when the settings do not configure it. */
    interface Provider {
        Optional<BulkEngine> create(Function<String, String> settings);
    }
}
