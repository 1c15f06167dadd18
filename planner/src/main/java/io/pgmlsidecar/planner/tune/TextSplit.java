package io.pgmlsidecar.planner.tune;

import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Splits labelled rows into training and test rows the way pgml.train does: {@code test_size} as a
 * fraction (< 1) or a row count (≥ 1), and {@code test_sampling} 'last' (the relation's last rows),
 * 'random' (seeded shuffle) or 'stratified' (each label split in proportion).
 */
final class TextSplit {
    private TextSplit() {}

    record Split(List<Integer> train, List<Integer> test) {}

    static Split of(List<String> labels, double testSize, String sampling, long seed) {
        int n = labels.size();
        int testCount = testCount(n, testSize);
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        switch (sampling == null ? "stratified" : sampling) {
            case "last" -> {
                return new Split(order.subList(0, n - testCount), order.subList(n - testCount, n));
            }
            case "random" -> {
                Collections.shuffle(order, new Random(seed));
                return new Split(sorted(order.subList(testCount, n)), sorted(order.subList(0, testCount)));
            }
            case "stratified" -> {
                Map<String, List<Integer>> byLabel = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    byLabel.computeIfAbsent(labels.get(i), k -> new ArrayList<>()).add(i);
                }
                Random random = new Random(seed);
                List<Integer> train = new ArrayList<>();
                List<Integer> test = new ArrayList<>();
                for (List<Integer> rows : byLabel.values()) {
                    Collections.shuffle(rows, random);
                    int k = (int) Math.round(rows.size() * (double) testCount / n);
                    test.addAll(rows.subList(0, k));
                    train.addAll(rows.subList(k, rows.size()));
                }
                return new Split(sorted(train), sorted(test));
            }
            default -> throw new PgException("22023", "unknown test_sampling '" + sampling + "'", "Use 'stratified', 'random' or 'last'.");
        }
    }

    private static int testCount(int n, double testSize) {
        if (testSize < 0) {
            throw new PgException("22023", "test_size must not be negative: " + testSize, null);
        }
        int k = testSize < 1 ? (int) Math.round(n * testSize) : (int) testSize;
        if (k >= n) {
            throw new PgException("22023", "test_size " + testSize + " leaves no training rows out of " + n,
                    "Use a fraction such as 0.25, or add rows.");
        }
        return k;
    }

    private static List<Integer> sorted(List<Integer> rows) {
        List<Integer> out = new ArrayList<>(rows);
        Collections.sort(out);
        return out;
    }
}
