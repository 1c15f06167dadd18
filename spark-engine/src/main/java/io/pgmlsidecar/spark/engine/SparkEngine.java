package io.pgmlsidecar.spark.engine;

/** What the training and the bulk engine share: the settings, the name "spark" and the automatic threshold. */
abstract class SparkEngine {
    protected final SparkSettings settings;

    SparkEngine(SparkSettings settings) {
        this.settings = settings;
    }

    public String name() {
        return "spark";
    }

    /** Statements that name no engine go to Spark from this many rows (estimated); {@code auto-above-rows}. */
    public long automaticAboveRows() {
        return settings.automaticAboveRows();
    }
}
