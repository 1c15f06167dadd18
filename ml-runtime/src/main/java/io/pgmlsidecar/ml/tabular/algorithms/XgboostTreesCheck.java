package io.pgmlsidecar.ml.tabular.algorithms;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Builds the Java evaluator of a booster and trusts it only after it agrees with XGBoost4J: probe rows
 * made from the model's own thresholds (just below, at, just above, and NaN, so every comparison and
 * default direction is exercised) are predicted both ways. Any model the reader refuses, or any
 * disagreement, leaves the booster to XGBoost4J.
 */
final class XgboostTreesCheck {
    private static final Logger LOG = LoggerFactory.getLogger(XgboostTreesCheck.class);
    static final double RELATIVE_TOLERANCE = 1e-5;
    static final double ABSOLUTE_TOLERANCE = 1e-6;
    private static final int PROBE_ROWS = 100;

    /** What the Java evaluator is checked against: XGBoost4J's prediction of the same rows. */
    @FunctionalInterface
    interface Reference {
        float[][] predict(float[] rows, int count, int width);
    }

    private XgboostTreesCheck() {
    }

    /** The checked Java evaluator of {@code booster}, or empty when predictions must stay with XGBoost4J. */
    static Optional<XgboostTrees> load(Booster booster, Reference reference) {
        XgboostTrees trees;
        try {
            trees = XgboostJsonReader.read(booster.toByteArray("json"));
        } catch (XgboostJsonReader.Unsupported e) {
            LOG.info("XGBoost model predicted through XGBoost4J: the Java evaluator does not support {}", e.getMessage());
            return Optional.empty();
        } catch (XGBoostError | RuntimeException e) {
            LOG.warn("XGBoost model predicted through XGBoost4J: its JSON could not be read: {}", e.toString());
            return Optional.empty();
        }
        return agrees(trees, reference) ? Optional.of(trees) : Optional.empty();
    }

    /** Whether {@code trees} predicts the probe rows as {@code reference} does; logs a warning when not. */
    static boolean agrees(XgboostTrees trees, Reference reference) {
        float[] probes = probeRows(trees, PROBE_ROWS);
        String difference;
        try {
            difference = firstDifference(reference.predict(probes, PROBE_ROWS, trees.numFeatures()), trees.predict(probes, PROBE_ROWS));
        } catch (RuntimeException e) {
            difference = "the check failed: " + e;
        }
        if (difference != null) {
            LOG.warn("XGBoost model predicted through XGBoost4J: the Java evaluator disagrees with it ({})", difference);
        }
        return difference == null;
    }

    /**
     * {@code count} rows, row-major: the first all NaN, then each feature just below, at or just above one
     * of its split thresholds, or NaN, chosen by a seeded generator so a failure reproduces.
     */
    static float[] probeRows(XgboostTrees trees, int count) {
        int width = trees.numFeatures();
        List<List<Float>> thresholds = thresholdsByFeature(trees);
        SplittableRandom random = new SplittableRandom(42);
        float[] rows = new float[count * width];
        Arrays.fill(rows, 0, width, Float.NaN);
        for (int i = width; i < rows.length; i++) {
            List<Float> own = thresholds.get(i % width);
            float threshold = own.isEmpty() ? 0f : own.get(random.nextInt(own.size()));
            rows[i] = switch (random.nextInt(4)) {
                case 0 -> Math.nextDown(threshold);
                case 1 -> threshold;
                case 2 -> Math.nextUp(threshold);
                default -> Float.NaN;
            };
        }
        return rows;
    }

    private static List<List<Float>> thresholdsByFeature(XgboostTrees trees) {
        List<List<Float>> byFeature = new ArrayList<>();
        for (int f = 0; f < trees.numFeatures(); f++) {
            byFeature.add(new ArrayList<>());
        }
        for (XgboostTree tree : trees.trees()) {
            for (int node = 0; node < tree.nodeCount(); node++) {
                if (!tree.isLeaf(node)) {
                    byFeature.get(tree.splitFeature(node)).add(tree.value(node));
                }
            }
        }
        return byFeature;
    }

    /** A description of the first value outside the tolerance (or of a shape difference), null when all agree. */
    static String firstDifference(float[][] expected, float[][] actual) {
        if (expected.length != actual.length) {
            return expected.length + " rows expected, " + actual.length + " given";
        }
        for (int r = 0; r < expected.length; r++) {
            if (expected[r].length != actual[r].length) {
                return "row " + r + " has " + actual[r].length + " values instead of " + expected[r].length;
            }
            for (int k = 0; k < expected[r].length; k++) {
                if (!close(expected[r][k], actual[r][k])) {
                    return "row " + r + " value " + k + ": Java " + actual[r][k] + ", XGBoost4J " + expected[r][k];
                }
            }
        }
        return null;
    }

    static boolean close(float expected, float actual) {
        double tolerance = Math.max(ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE * Math.abs(expected));
        return Float.compare(expected, actual) == 0 || Math.abs(expected - actual) <= tolerance;
    }
}
