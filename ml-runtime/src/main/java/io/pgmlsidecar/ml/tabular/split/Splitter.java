package io.pgmlsidecar.ml.tabular.split;

import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.Task;
import io.pgmlsidecar.ml.tabular.data.Dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Train/test splitting per {@code test_size} and {@code test_sampling}, deterministic for a seed.
 * <ul>
 *   <li>{@code test_size > 1}: an absolute number of test rows; otherwise a fraction,
 *       {@code round(rows × test_size)} (PostgresML's rule).</li>
 *   <li>{@code stratified} is real stratification (PostgresML's partitions by all columns, which is not):
 *       classification splits each class proportionally (largest remainders, every class with ≥ 2 rows
 *       keeps ≥ 1 row in train and, when the test split is big enough, ≥ 1 in test); regression splits
 *       each of 10 label-quantile bins proportionally; unsupervised tasks shuffle.</li>
 * </ul>
 */
public final class Splitter {
    private Splitter() {
    }

    public static int testRows(int rows, double testSize) {
        if (Double.isNaN(testSize) || testSize < 0) {
            throw new TabularException("test_size must be ≥ 0, got " + testSize);
        }
        int n = testSize > 1.0 ? (int) Math.round(testSize) : (int) Math.round(rows * testSize);
        if (testSize > 1.0 && testSize != Math.rint(testSize)) {
            throw new TabularException("test_size " + testSize + " is above 1, so it is a row count, but it is not a whole number");
        }
        return n;
    }

    public static Split split(Dataset data, Task task, double testSize, TestSampling sampling, long seed) {
        int rows = data.numRows();
        if (rows == 0) {
            throw new TabularException("the relation has no rows to train on");
        }
        int nTest = testRows(rows, testSize);
        if (nTest >= rows) {
            throw new TabularException("test_size " + testSize + " leaves no rows to train on (" + rows + " rows, "
                    + nTest + " for testing)", "lower test_size, or add rows");
        }
        if (task.supervised() && rows < 2) {
            throw new TabularException("the relation has only 1 row; training needs at least 2");
        }
        int[] order;
        SplittableRandom rnd = new SplittableRandom(seed);
        switch (sampling) {
            case LAST -> {
                order = identity(rows);
                return new Split(Arrays.copyOf(order, rows - nTest), Arrays.copyOfRange(order, rows - nTest, rows));
            }
            case RANDOM -> {
                order = identity(rows);
                shuffle(order, rnd);
                return new Split(sorted(Arrays.copyOf(order, rows - nTest)), sorted(Arrays.copyOfRange(order, rows - nTest, rows)));
            }
            default -> {
                if (!task.supervised()) {
                    order = identity(rows);
                    shuffle(order, rnd);
                    return new Split(sorted(Arrays.copyOf(order, rows - nTest)), sorted(Arrays.copyOfRange(order, rows - nTest, rows)));
                }
                return stratified(groups(data, task), rows, nTest, rnd);
            }
        }
    }

    private static List<int[]> groups(Dataset data, Task task) {
        int rows = data.numRows();
        if (task == Task.CLASSIFICATION) {
            Map<String, List<Integer>> byClass = new LinkedHashMap<>();
            for (int i = 0; i < rows; i++) {
                byClass.computeIfAbsent(data.labelKey(i), k -> new ArrayList<>()).add(i);
            }
            List<int[]> out = new ArrayList<>();
            for (List<Integer> l : byClass.values()) {
                out.add(l.stream().mapToInt(Integer::intValue).toArray());
            }
            return out;
        }
        // regression: 10 quantile bins of the label
        Integer[] idx = new Integer[rows];
        for (int i = 0; i < rows; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(data.numericLabel(a), data.numericLabel(b)));
        int bins = Math.max(1, Math.min(10, rows / 4));
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            int from = (int) ((long) rows * b / bins);
            int to = (int) ((long) rows * (b + 1) / bins);
            int[] g = new int[to - from];
            for (int k = from; k < to; k++) {
                g[k - from] = idx[k];
            }
            out.add(g);
        }
        return out;
    }

    static Split stratified(List<int[]> groups, int rows, int nTest, SplittableRandom rnd) {
        int k = groups.size();
        double frac = (double) nTest / rows;
        int[] take = new int[k];
        double[] rem = new double[k];
        int assigned = 0;
        for (int g = 0; g < k; g++) {
            double exact = groups.get(g).length * frac;
            take[g] = (int) Math.floor(exact);
            rem[g] = exact - take[g];
            assigned += take[g];
        }
        // largest remainders get the leftover test rows (ties: larger groups first)
        Integer[] order = new Integer[k];
        for (int g = 0; g < k; g++) {
            order[g] = g;
        }
        Arrays.sort(order, (a, b) -> rem[a] != rem[b] ? Double.compare(rem[b], rem[a]) : Integer.compare(groups.get(b).length, groups.get(a).length));
        for (int i = 0; assigned < nTest && i < k * 2; i++) {
            int g = order[i % k];
            if (take[g] < groups.get(g).length - 1) {
                take[g]++;
                assigned++;
            }
        }
        // each class with ≥ 2 rows shows up in test when the test split can hold every class
        if (nTest >= k) {
            for (int g = 0; g < k; g++) {
                if (take[g] == 0 && groups.get(g).length >= 2) {
                    int donor = -1;
                    for (int h = 0; h < k; h++) {
                        if (take[h] > 1 && (donor < 0 || take[h] > take[donor])) {
                            donor = h;
                        }
                    }
                    if (donor >= 0) {
                        take[donor]--;
                        take[g]++;
                    }
                }
            }
        }
        // never leave a group without a train row
        for (int g = 0; g < k; g++) {
            if (take[g] >= groups.get(g).length && groups.get(g).length > 0) {
                take[g] = groups.get(g).length - 1;
            }
        }
        int totalTest = Arrays.stream(take).sum();
        int[] train = new int[rows - totalTest];
        int[] test = new int[totalTest];
        int ti = 0;
        int si = 0;
        for (int g = 0; g < k; g++) {
            int[] members = groups.get(g).clone();
            shuffle(members, rnd);
            for (int m = 0; m < members.length; m++) {
                if (m < take[g]) {
                    test[si++] = members[m];
                } else {
                    train[ti++] = members[m];
                }
            }
        }
        return new Split(sorted(train), sorted(test));
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    public static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static int[] sorted(int[] a) {
        Arrays.sort(a);
        return a;
    }
}
