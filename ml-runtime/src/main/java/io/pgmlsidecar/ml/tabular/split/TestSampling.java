package io.pgmlsidecar.ml.tabular.split;

import io.pgmlsidecar.ml.tabular.TabularException;

import java.util.Locale;

/** {@code pgml.sampling}: how rows are assigned to the test split. */
public enum TestSampling {
    /** Shuffle (seeded), the last rows test. */
    RANDOM,
    /** Relation order; the test set is the tail. */
    LAST,
    /** Real stratification by label: each class split proportionally (regression: by label quantile bins). */
    STRATIFIED;

    public static TestSampling parse(String s) {
        if (s == null) {
            return STRATIFIED;
        }
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "random" -> RANDOM;
            case "last" -> LAST;
            case "stratified" -> STRATIFIED;
            default -> throw new TabularException("invalid test_sampling \"" + s + "\"", "use one of: random, last, stratified");
        };
    }

    public String pgName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
