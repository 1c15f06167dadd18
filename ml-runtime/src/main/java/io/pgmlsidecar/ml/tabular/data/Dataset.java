package io.pgmlsidecar.ml.tabular.data;

import io.pgmlsidecar.ml.tabular.TabularException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows read from a relation, stored column by column in primitive arrays (8 bytes per numeric cell,
 * 4 per categorical cell, no per-row objects). Build it with {@link #builder}; rows may be streamed
 * in chunks. Array columns are expanded to one numeric column per element ({@code image[0]}, …).
 */
public final class Dataset {
    /** One expanded column: numeric values (NaN = NULL) or category codes into {@code categories} (-1 = NULL). */
    public static final class Column {
        final String name;
        final ColumnType type;
        final String source;
        double[] values;
        int[] codes;
        final List<String> categories;

        Column(String name, ColumnType type, String source) {
            this.name = name;
            this.type = type;
            this.source = source;
            this.categories = type == ColumnType.CATEGORICAL ? new ArrayList<>() : null;
        }

        public String name() {
            return name;
        }

        public ColumnType type() {
            return type;
        }

        /** The relation column this one comes from (differs for array elements). */
        public String source() {
            return source;
        }

        public double value(int row) {
            return values[row];
        }

        /** Category of a row, or null for NULL. */
        public String category(int row) {
            int c = codes[row];
            return c < 0 ? null : categories.get(c);
        }
    }

    private final List<FeatureColumn> features;
    private final int[] arrayWidths;
    private final List<Column> columns;
    private final String labelName;
    private final LabelKind labelKind;
    private final double[] numericLabels;
    private final int[] textLabelCodes;
    private final List<String> textLabels;
    private final int rows;
    private List<String> labelNames;
    private double[][] jointLabels;

    Dataset(List<FeatureColumn> features, int[] arrayWidths, List<Column> columns, String labelName, LabelKind labelKind,
            double[] numericLabels, int[] textLabelCodes, List<String> textLabels, int rows) {
        this.features = List.copyOf(features);
        this.arrayWidths = arrayWidths;
        this.columns = Collections.unmodifiableList(columns);
        this.labelName = labelName;
        this.labelKind = labelKind;
        this.numericLabels = numericLabels;
        this.textLabelCodes = textLabelCodes;
        this.textLabels = textLabels == null ? null : List.copyOf(textLabels);
        this.rows = rows;
    }

    public static DatasetBuilder builder(List<FeatureColumn> features, String labelName) {
        return new DatasetBuilder(features, labelName);
    }

    /**
     * A builder for joint (multi-target) regression, as pgml.train_joint: {@code addRow(values, labels)}
     * takes the labels as an {@code Object[]} (or List) in this order; all numeric, none NULL.
     */
    public static DatasetBuilder jointBuilder(List<FeatureColumn> features, List<String> labelNames) {
        return new DatasetBuilder(features, labelNames);
    }

    void setJoint(List<String> names, double[][] labels) {
        this.labelNames = List.copyOf(names);
        this.jointLabels = labels;
    }

    /** Number of label columns: 0 (unsupervised), 1, or more for joint regression. */
    public int numTargets() {
        return jointLabels != null ? jointLabels.length : (labelName == null ? 0 : 1);
    }

    public List<String> labelNames() {
        return labelNames != null ? labelNames : (labelName == null ? List.of() : List.of(labelName));
    }

    /** Label {@code target} of a row (joint datasets; target 0 of a single-label dataset is {@link #numericLabel}). */
    public double numericLabel(int row, int target) {
        return jointLabels != null ? jointLabels[target][row] : numericLabel(row);
    }

    public int numRows() {
        return rows;
    }

    /** The relation's feature columns, as given to the builder. */
    public List<FeatureColumn> featureColumns() {
        return features;
    }

    /** Element count of each feature column (1 for scalars). */
    public int[] arrayWidths() {
        return arrayWidths.clone();
    }

    /** The expanded columns. */
    public List<Column> columns() {
        return columns;
    }

    public boolean hasLabel() {
        return labelName != null;
    }

    public String labelName() {
        return labelName;
    }

    /** Null when there is no label column. */
    public LabelKind labelKind() {
        return labelKind;
    }

    /** Numeric (or boolean 0/1) label of a row; for text labels, throws. */
    public double numericLabel(int row) {
        if (numericLabels == null) {
            throw new TabularException("the label column \"" + labelName + "\" is text; a numeric label is required for this task",
                    "use task => 'classification' for text labels");
        }
        return numericLabels[row];
    }

    /** The label of a row as an object: Double, Boolean or String. */
    public Object label(int row) {
        return switch (labelKind) {
            case NUMERIC -> numericLabels[row];
            case BOOLEAN -> numericLabels[row] != 0.0;
            case TEXT -> textLabels.get(textLabelCodes[row]);
        };
    }

    /** A key that identifies the label's class (for stratification and class maps). */
    public String labelKey(int row) {
        return labelKind == LabelKind.TEXT ? textLabels.get(textLabelCodes[row]) : Values.numberKey(numericLabels[row]);
    }

    /** Distinct labels with their counts, in first-appearance order. */
    public Map<String, Integer> labelCounts() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < rows; i++) {
            m.merge(labelKey(i), 1, Integer::sum);
        }
        return m;
    }

    /** The names of the expanded feature columns, in order. */
    public List<String> expandedNames() {
        List<String> names = new ArrayList<>(columns.size());
        for (Column c : columns) {
            names.add(c.name);
        }
        return names;
    }

    @Override
    public String toString() {
        return "Dataset{rows=" + rows + ", features=" + features.size() + " (" + columns.size() + " expanded), label="
                + labelName + " " + labelKind + ", widths=" + Arrays.toString(arrayWidths) + "}";
    }
}
