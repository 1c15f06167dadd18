package io.pgmlsidecar.ml.tabular.algorithms;

/**
 * A gbtree booster evaluated in plain Java, giving what XGBoost4J's {@code inplace_predict} gives (same
 * values within float rounding, same shape) without the JNI and OpenMP start-up that dominate a
 * single-row prediction. Each output group (class) starts at its base margin and adds, in tree order and
 * in float as XGBoost does, the leaf of every tree of that group; the objective then transforms the
 * margins. Immutable, so thread-safe. Built by {@link XgboostJsonReader}.
 */
final class XgboostTrees {
    private final XgboostTree[] trees;
    /** Output group of each tree ({@code tree_info}). */
    private final int[] treeGroup;
    private final float[] baseMargins;
    private final int numFeatures;
    private final XgboostObjective objective;

    XgboostTrees(XgboostTree[] trees, int[] treeGroup, float[] baseMargins, int numFeatures, XgboostObjective objective) {
        this.trees = trees;
        this.treeGroup = treeGroup;
        this.baseMargins = baseMargins;
        this.numFeatures = numFeatures;
        this.objective = objective;
    }

    int numFeatures() {
        return numFeatures;
    }

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
            for (int t = 0; t < trees.length; t++) {
                margins[treeGroup[t]] += trees[t].leafValue(rows, offset);
            }
            objective.transform(margins, out[r]);
        }
        return out;
    }
}
