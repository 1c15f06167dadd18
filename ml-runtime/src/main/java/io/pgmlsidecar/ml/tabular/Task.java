package io.pgmlsidecar.ml.tabular;

import java.util.Locale;

/** The classical-ML tasks of {@code pgml.train}, with PostgresML's names. */
public enum Task {
    REGRESSION("regression", "r2"),
    CLASSIFICATION("classification", "f1"),
    CLUSTERING("clustering", "silhouette"),
    DECOMPOSITION("decomposition", "cumulative_explained_variance");

    private final String pgName;
    private final String targetMetric;

    Task(String pgName, String targetMetric) {
        this.pgName = pgName;
        this.targetMetric = targetMetric;
    }

    /** The name as PostgresML writes it ({@code pgml.task} enum label). */
    public String pgName() {
        return pgName;
    }

    /** The metric used for auto-deploy and search (always higher-is-better for these tasks). */
    public String targetMetric() {
        return targetMetric;
    }

    public boolean supervised() {
        return this == REGRESSION || this == CLASSIFICATION;
    }

    /** Parses a task name; accepts {@code cluster} (PostgresML's pre-2.8.4 name) and any case. */
    public static Task parse(String name) {
        if (name == null) {
            throw new TabularException("a task is required", "use one of: regression, classification, clustering, decomposition");
        }
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (n) {
            case "regression" -> REGRESSION;
            case "classification" -> CLASSIFICATION;
            case "clustering", "cluster" -> CLUSTERING;
            case "decomposition" -> DECOMPOSITION;
            default -> throw new TabularException("task \"" + name + "\" is not a tabular task",
                    "use one of: regression, classification, clustering, decomposition");
        };
    }

    @Override
    public String toString() {
        return pgName;
    }
}
