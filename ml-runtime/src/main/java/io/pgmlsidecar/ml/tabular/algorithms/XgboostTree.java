package io.pgmlsidecar.ml.tabular.algorithms;

/**
 * One XGBoost regression tree as flat arrays indexed by node id (node 0 is the root), the layout of
 * XGBoost's own JSON. A node is a leaf when its left child is -1; at a leaf {@code value} holds the leaf
 * value, elsewhere the split threshold.
 */
final class XgboostTree {
    private final int[] left;
    private final int[] right;
    /** The child a missing value (NaN) goes to: XGBoost's {@code default_left}, resolved once. */
    private final int[] missing;
    private final int[] feature;
    private final float[] value;

    XgboostTree(int[] left, int[] right, boolean[] defaultLeft, int[] feature, float[] value) {
        this.left = left;
        this.right = right;
        this.feature = feature;
        this.value = value;
        this.missing = new int[left.length];
        for (int n = 0; n < left.length; n++) {
            missing[n] = defaultLeft[n] ? left[n] : right[n];
        }
    }

    /** The leaf value reached by the row starting at {@code offset} of {@code rows}. */
    float leafValue(float[] rows, int offset) {
        int node = 0;
        while (left[node] >= 0) {
            float x = rows[offset + feature[node]];
            if (x < value[node]) {
                node = left[node];
            } else if (x >= value[node]) {
                node = right[node];
            } else {
                node = missing[node];  // x is NaN: both comparisons are false
            }
        }
        return value[node];
    }

    int nodeCount() {
        return left.length;
    }

    boolean isLeaf(int node) {
        return left[node] < 0;
    }

    int splitFeature(int node) {
        return feature[node];
    }

    float splitThreshold(int node) {
        return value[node];
    }
}
