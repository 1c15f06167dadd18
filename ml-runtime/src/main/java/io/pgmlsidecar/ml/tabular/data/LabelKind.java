package io.pgmlsidecar.ml.tabular.data;

/** The type of the label column: numbers, booleans (stored 0/1) or text. */
public enum LabelKind {
    NUMERIC,
    BOOLEAN,
    TEXT
}
