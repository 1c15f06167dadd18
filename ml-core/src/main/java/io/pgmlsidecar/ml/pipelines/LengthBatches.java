package io.pgmlsidecar.ml.pipelines;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Groups inputs into batches of similar length (shortest first), so that padding each batch to its
 * longest row wastes little; callers put results back by the original indices.
 */
public final class LengthBatches {
    private LengthBatches() {}

    /** Batches of original indices, each at most {@code batchSize} long. */
    public static List<int[]> plan(int[] lengths, int batchSize) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> lengths[i])); // stable: equal lengths keep input order
        List<int[]> batches = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(order.length, from + batchSize);
            int[] b = new int[to - from];
            for (int j = from; j < to; j++) b[j - from] = order[j];
            batches.add(b);
        }
        return batches;
    }
}
