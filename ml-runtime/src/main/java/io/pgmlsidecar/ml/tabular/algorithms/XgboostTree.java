package io.pgmlsidecar.ml.tabular.algorithms;

/**
 * One XGBoost regression tree as read from XGBoost's JSON: flat arrays indexed by node id, node 0 the
 * root. A node is a leaf when its left child is -1; at a leaf {@code value} holds the leaf value,
 * elsewhere the split threshold. {@link XgboostTrees} lays the trees out again for evaluation.
 */
final class XgboostTree {
    private final int[] left;
    private final int[] right;
    private final boolean[] defaultLeft;
    private final int[] feature;
    private final float[] value;

    XgboostTree(int[] left, int[] right, boolean[] defaultLeft, int[] feature, float[] value) {
        this.left = left;
        this.right = right;
        this.defaultLeft = defaultLeft;
        this.feature = feature;
        this.value = value;
    }

    int nodeCount() {
        return left.length;
    }

    boolean isLeaf(int node) {
        return left[node] < 0;
    }

    int leftChild(int node) {
        return left[node];
    }

    int rightChild(int node) {
        return right[node];
    }

    /** Where a missing value (NaN) goes at this split. */
    boolean defaultLeft(int node) {
        return defaultLeft[node];
    }

    int splitFeature(int node) {
        return feature[node];
    }

    /** The split threshold, or the leaf value at a leaf. */
    float value(int node) {
        return value[node];
    }
}
