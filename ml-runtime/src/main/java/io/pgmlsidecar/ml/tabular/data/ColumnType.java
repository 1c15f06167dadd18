package io.pgmlsidecar.ml.tabular.data;

/** How a feature column's values are read: numbers (int/float/numeric/bool) or categories (text). */
public enum ColumnType {
    NUMERIC,
    CATEGORICAL
}
