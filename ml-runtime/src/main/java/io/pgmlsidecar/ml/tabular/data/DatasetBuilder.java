package io.pgmlsidecar.ml.tabular.data;

import io.pgmlsidecar.ml.tabular.TabularException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link Dataset} row by row (the caller streams chunks, e.g. from COPY). Storage grows
 * geometrically in primitive arrays; an optional row limit bounds memory with a clear error.
 */
public final class DatasetBuilder {
    private final List<FeatureColumn> features;
    private final String labelName;
    private final int[] widths;
    private final List<Dataset.Column> columns = new ArrayList<>();
    private final int[] firstColumn;
    private final List<Map<String, Integer>> categoryIndex = new ArrayList<>();
    private LabelKind labelKind;
    private double[] numericLabels;
    private int[] textCodes;
    private final List<String> textLabels = new ArrayList<>();
    private final Map<String, Integer> textIndex = new HashMap<>();
    private int rows;
    private int capacity = 256;
    private long maxRows = Long.MAX_VALUE;
    private boolean built;
    private List<String> jointNames;
    private double[][] joint;

    DatasetBuilder(List<FeatureColumn> features, List<String> labelNames) {
        this(features, labelNames == null || labelNames.isEmpty() ? null : labelNames.get(0));
        if (labelNames == null || labelNames.isEmpty()) {
            throw new TabularException("joint training needs at least one label column");
        }
        Set<String> seen = new HashSet<>();
        for (String n : labelNames) {
            if (!seen.add(n)) {
                throw new TabularException("label column \"" + n + "\" is given twice");
            }
            for (FeatureColumn f : features) {
                if (f.name().equals(n)) {
                    throw new TabularException("the label column \"" + n + "\" is also listed as a feature");
                }
            }
        }
        if (labelNames.size() > 1) {
            jointNames = List.copyOf(labelNames);
            joint = new double[labelNames.size()][capacity];
        }
    }

    DatasetBuilder(List<FeatureColumn> features, String labelName) {
        if (features == null || features.isEmpty()) {
            throw new TabularException("the relation has no feature columns",
                    "a training relation needs at least one column besides the label");
        }
        Set<String> seen = new HashSet<>();
        for (FeatureColumn f : features) {
            if (!seen.add(f.name())) {
                throw new TabularException("feature column \"" + f.name() + "\" is given twice");
            }
        }
        if (labelName != null && seen.contains(labelName)) {
            throw new TabularException("the label column \"" + labelName + "\" is also listed as a feature");
        }
        this.features = List.copyOf(features);
        this.labelName = labelName;
        this.widths = new int[features.size()];
        this.firstColumn = new int[features.size()];
        for (int i = 0; i < features.size(); i++) {
            FeatureColumn f = features.get(i);
            widths[i] = f.array() ? -1 : 1;
            if (!f.array()) {
                firstColumn[i] = columns.size();
                addColumn(f.name(), f.type(), f.name());
            } else {
                firstColumn[i] = -1;
            }
        }
    }

    /** Refuses to grow past this many rows (bounded memory). */
    public DatasetBuilder maxRows(long max) {
        this.maxRows = max;
        return this;
    }

    private void addColumn(String name, ColumnType type, String source) {
        Dataset.Column c = new Dataset.Column(name, type, source);
        if (type == ColumnType.NUMERIC) {
            c.values = new double[capacity];
            Arrays.fill(c.values, Double.NaN);
        } else {
            c.codes = new int[capacity];
        }
        columns.add(c);
        categoryIndex.add(type == ColumnType.CATEGORICAL ? new HashMap<>() : null);
    }

    private void ensureCapacity() {
        if (rows < capacity) {
            return;
        }
        int next = (int) Math.min(Integer.MAX_VALUE - 8, (long) capacity * 2);
        if (next <= rows) {
            throw new TabularException("too many rows for one training set");
        }
        // the columns grow to next rows each (8 bytes a number, 4 a code), and a copy is made as they grow
        long perRow = 8L * (columns.size() + 1 + (joint == null ? 0 : joint.length));
        io.pgmlsidecar.ml.CallMemoryBudget.check("pgml.train", "a training set of " + next + " rows × " + columns.size()
                + " columns", io.pgmlsidecar.ml.CallMemoryBudget.product(next, perRow, 2),
                "Train on fewer rows (a view with LIMIT or a sample of the relation) or fewer columns");
        for (Dataset.Column c : columns) {
            if (c.values != null) {
                c.values = Arrays.copyOf(c.values, next);
                Arrays.fill(c.values, capacity, next, Double.NaN);
            } else {
                c.codes = Arrays.copyOf(c.codes, next);
            }
        }
        if (numericLabels != null) {
            numericLabels = Arrays.copyOf(numericLabels, next);
        }
        if (textCodes != null) {
            textCodes = Arrays.copyOf(textCodes, next);
        }
        if (joint != null) {
            for (int t = 0; t < joint.length; t++) {
                joint[t] = Arrays.copyOf(joint[t], next);
            }
        }
        capacity = next;
    }

    /** Adds rows given as {@code Object[]{feature values…, label}} (label last when there is one). */
    public DatasetBuilder addRows(Iterable<Object[]> chunk) {
        for (Object[] r : chunk) {
            if (labelName != null) {
                if (r.length != features.size() + 1) {
                    throw new TabularException("expected " + (features.size() + 1) + " values per row (features and label), got " + r.length);
                }
                addRow(Arrays.copyOf(r, features.size()), r[features.size()]);
            } else {
                addRow(r, null);
            }
        }
        return this;
    }

    /**
     * Adds one row. Numeric features accept Number/Boolean/numeric strings/null; categorical ones any
     * value (its text) or null; array features Java arrays (any depth, flattened) or collections.
     */
    public DatasetBuilder addRow(Object[] values, Object label) {
        if (built) {
            throw new IllegalStateException("already built");
        }
        if (values.length != features.size()) {
            throw new TabularException("expected " + features.size() + " feature values per row, got " + values.length);
        }
        if (rows >= maxRows) {
            throw new TabularException("the relation has more than " + maxRows + " rows, the configured training limit",
                    "train on a sample (a view with LIMIT or TABLESAMPLE) or raise the limit");
        }
        ensureCapacity();
        for (int i = 0; i < values.length; i++) {
            FeatureColumn f = features.get(i);
            Object v = values[i];
            if (f.array()) {
                double[] flat = Values.flatten(v, f.name());
                if (flat == null) {
                    continue; // NULL array: all elements stay NaN
                }
                if (widths[i] < 0) {
                    if (flat.length == 0) {
                        throw new TabularException("array column \"" + f.name() + "\" has an empty array");
                    }
                    widths[i] = flat.length;
                    firstColumn[i] = columns.size();
                    for (int k = 0; k < flat.length; k++) {
                        addColumn(f.name() + "[" + k + "]", ColumnType.NUMERIC, f.name());
                    }
                } else if (flat.length != widths[i]) {
                    throw new TabularException("array column \"" + f.name() + "\" has rows of different lengths ("
                            + widths[i] + " and " + flat.length + "); all rows must have the same length");
                }
                for (int k = 0; k < flat.length; k++) {
                    columns.get(firstColumn[i] + k).values[rows] = flat[k];
                }
            } else if (f.type() == ColumnType.NUMERIC) {
                columns.get(firstColumn[i]).values[rows] = Values.toDouble(v, f.name());
            } else {
                String key = Values.toCategory(v);
                Dataset.Column c = columns.get(firstColumn[i]);
                if (key == null) {
                    c.codes[rows] = -1;
                } else {
                    Map<String, Integer> idx = categoryIndex.get(firstColumn[i]);
                    Integer code = idx.get(key);
                    if (code == null) {
                        code = c.categories.size();
                        c.categories.add(key);
                        idx.put(key, code);
                    }
                    c.codes[rows] = code;
                }
            }
        }
        if (joint != null) {
            addJointLabels(label);
        } else if (labelName != null) {
            addLabel(label);
        }
        rows++;
        return this;
    }

    private void addJointLabels(Object labels) {
        Object[] ls = labels instanceof java.util.List<?> l ? l.toArray() : labels instanceof Object[] a ? a : null;
        if (ls == null || ls.length != jointNames.size()) {
            throw new TabularException("expected " + jointNames.size() + " label values " + jointNames + " per row");
        }
        for (int t = 0; t < ls.length; t++) {
            if (ls[t] == null) {
                throw new TabularException("the label column \"" + jointNames.get(t) + "\" contains NULL values",
                        "train on a view that leaves them out: CREATE VIEW v AS SELECT * FROM t WHERE \"" + jointNames.get(t) + "\" IS NOT NULL");
            }
            if (ls[t] instanceof String) {
                throw new TabularException("the label column \"" + jointNames.get(t) + "\" is text; joint training is regression and needs numeric labels");
            }
            double d = Values.toDouble(ls[t], jointNames.get(t));
            if (!Double.isFinite(d)) {
                throw new TabularException("the label column \"" + jointNames.get(t) + "\" contains NaN or infinite values");
            }
            joint[t][rows] = d;
        }
        addLabel(ls[0]);
    }

    private void addLabel(Object label) {
        if (label == null) {
            throw new TabularException("the label column \"" + labelName + "\" contains NULL values",
                    "train on a view that leaves them out: CREATE VIEW v AS SELECT * FROM t WHERE \"" + labelName + "\" IS NOT NULL");
        }
        if (labelKind == null) {
            if (label instanceof Boolean) {
                labelKind = LabelKind.BOOLEAN;
            } else if (label instanceof Number) {
                labelKind = LabelKind.NUMERIC;
            } else {
                labelKind = LabelKind.TEXT;
            }
            if (labelKind == LabelKind.TEXT) {
                textCodes = new int[capacity];
            } else {
                numericLabels = new double[capacity];
            }
        }
        switch (labelKind) {
            case BOOLEAN -> {
                if (!(label instanceof Boolean b)) {
                    throw new TabularException("the label column \"" + labelName + "\" mixes booleans and other values");
                }
                numericLabels[rows] = b ? 1.0 : 0.0;
            }
            case NUMERIC -> {
                double d = Values.toDouble(label, labelName);
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new TabularException("the label column \"" + labelName + "\" contains NaN or infinite values");
                }
                numericLabels[rows] = d;
            }
            case TEXT -> {
                String s = String.valueOf(label);
                Integer code = textIndex.get(s);
                if (code == null) {
                    code = textLabels.size();
                    textLabels.add(s);
                    textIndex.put(s, code);
                }
                textCodes[rows] = code;
            }
        }
    }

    public int rowCount() {
        return rows;
    }

    public Dataset build() {
        built = true;
        for (int i = 0; i < widths.length; i++) {
            if (widths[i] < 0) {
                throw new TabularException("array column \"" + features.get(i).name() + "\" is NULL in every row");
            }
        }
        // trim to size
        for (Dataset.Column c : columns) {
            if (c.values != null) {
                c.values = Arrays.copyOf(c.values, rows);
            } else {
                c.codes = Arrays.copyOf(c.codes, rows);
            }
        }
        // order expanded columns as the feature columns (arrays may have been discovered late)
        List<Dataset.Column> ordered = new ArrayList<>(columns.size());
        for (int i = 0; i < features.size(); i++) {
            for (int k = 0; k < widths[i]; k++) {
                ordered.add(columns.get(firstColumn[i] + k));
            }
        }
        Dataset d = new Dataset(features, widths.clone(), ordered, labelName, labelKind,
                numericLabels == null ? null : Arrays.copyOf(numericLabels, rows),
                textCodes == null ? null : Arrays.copyOf(textCodes, rows),
                labelKind == LabelKind.TEXT ? textLabels : null, rows);
        if (joint != null) {
            double[][] trimmed = new double[joint.length][];
            for (int t = 0; t < joint.length; t++) {
                trimmed[t] = Arrays.copyOf(joint[t], rows);
            }
            d.setJoint(jointNames, trimmed);
        }
        return d;
    }
}
