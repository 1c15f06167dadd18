package io.pgmlsidecar.ml.tabular.algorithms;

import java.util.Arrays;

/**
 * A gbtree booster evaluated in plain Java, giving what XGBoost4J's {@code inplace_predict} gives (same
 * values within float rounding, same shape) without the JNI and OpenMP start-up that dominate a
 * single-row prediction. Each output group (class) starts at its base margin and adds, in tree order and
 * in float as XGBoost does, the leaf of every tree of that group; the objective then transforms the
 * margins. Immutable, so thread-safe. Built by {@link XgboostJsonReader}.
 *
 * <p>All trees live in one int array, {@value #NODE} words per node: the split feature (or {@link #LEAF}),
 * the threshold or leaf value as float bits, and the index of the left child. Children are laid out
 * side by side (the right child follows the left), so choosing one is arithmetic on a single index, and
 * a tree's nodes sit together in memory in breadth-first order.
 */
final class XgboostTrees {
    private static final int NODE = 3;
    private static final int LEAF = -1;
    /** Set in a split's first word when a missing value goes right (XGBoost's default_left false). */
    private static final int MISSING_RIGHT = 1 << 30;
    private static final int FEATURE = MISSING_RIGHT - 1;
    static final int MAX_FEATURES = FEATURE + 1;

    private final XgboostTree[] trees;
    private final int[] nodes;
    /** Index in {@link #nodes} of each tree's root. */
    private final int[] roots;
    /** Output group of each tree ({@code tree_info}). */
    private final int[] treeGroup;
    private final float[] baseMargins;
    private final int numFeatures;
    private final XgboostObjective objective;

    /** {@code trees} must be checked trees (every node reached once from the root), as the reader gives. */
    XgboostTrees(XgboostTree[] trees, int[] treeGroup, float[] baseMargins, int numFeatures, XgboostObjective objective) {
        if (numFeatures > MAX_FEATURES) {
            throw new IllegalArgumentException(numFeatures + " features");
        }
        this.trees = trees.clone();
        this.roots = new int[trees.length];
        this.nodes = pack(trees, roots);
        this.treeGroup = treeGroup.clone();
        this.baseMargins = baseMargins.clone();
        this.numFeatures = numFeatures;
        this.objective = objective;
    }

    int numFeatures() {
        return numFeatures;
    }

    /** The trees as read from the JSON. */
    XgboostTree[] trees() {
        return trees.clone();
    }

    /** Predicts {@code count} rows of {@link #numFeatures} values each, row-major, NaN for missing. */
    float[][] predict(float[] rows, int count) {
        if (rows.length != count * numFeatures) {
            throw new IllegalArgumentException(count + " rows of " + numFeatures + " features need " + count * numFeatures
                    + " values, got " + rows.length);
        }
        float[][] out = new float[count][objective.outputWidth(baseMargins.length)];
        float[] margins = new float[baseMargins.length];
        for (int r = 0; r < count; r++) {
            System.arraycopy(baseMargins, 0, margins, 0, margins.length);
            int offset = r * numFeatures;
            for (int t = 0; t < roots.length; t++) {
                margins[treeGroup[t]] += leafValue(roots[t], rows, offset);
            }
            objective.transform(margins, out[r]);
        }
        return out;
    }

    private float leafValue(int node, float[] rows, int offset) {
        int split;
        while ((split = nodes[node]) != LEAF) {
            float x = rows[offset + (split & FEATURE)];
            int left = nodes[node + 2];
            if (Float.isNaN(x)) {
                node = (split & MISSING_RIGHT) == 0 ? left : left + NODE;
            } else {
                node = x < Float.intBitsToFloat(nodes[node + 1]) ? left : left + NODE;
            }
        }
        return Float.intBitsToFloat(nodes[node + 1]);
    }

    /** Lays the trees out breadth-first, children side by side; fills {@code roots}. */
    private static int[] pack(XgboostTree[] trees, int[] roots) {
        int capacity = 0;
        for (XgboostTree tree : trees) {
            capacity += tree.nodeCount();
        }
        int[] nodes = new int[capacity * NODE];
        int next = 0;
        for (int t = 0; t < trees.length; t++) {
            XgboostTree tree = trees[t];
            int[] pendingNode = new int[tree.nodeCount()];
            int[] pendingSlot = new int[tree.nodeCount()];
            int head = 0;
            int tail = 0;
            roots[t] = next;
            pendingSlot[tail++] = next;
            next += NODE;
            while (head < tail) {
                int node = pendingNode[head];
                int slot = pendingSlot[head++];
                nodes[slot + 1] = Float.floatToRawIntBits(tree.value(node));
                if (tree.isLeaf(node)) {
                    nodes[slot] = LEAF;
                    continue;
                }
                nodes[slot] = tree.splitFeature(node) | (tree.defaultLeft(node) ? 0 : MISSING_RIGHT);
                nodes[slot + 2] = next;
                pendingNode[tail] = tree.leftChild(node);
                pendingSlot[tail++] = next;
                pendingNode[tail] = tree.rightChild(node);
                pendingSlot[tail++] = next + NODE;
                next += 2 * NODE;
            }
        }
        return Arrays.copyOf(nodes, next);
    }
}
