package io.pgmlsidecar.ml.tabular.preprocess;

import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.data.ColumnType;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.ml.tabular.data.Values;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fitted preprocessing of a model: impute → encode → scale per expanded column, with statistics
 * from the training split only. Serialised with the model, so predictions see the same transform.
 * <p>Categorical columns (text, or any column with {@code encode ≠ native}) get codes 1..n in order of
 * first appearance among the training rows; NULL is the category {@code __NULL__} = 0. Unseen categories
 * at predict time are missing values and go through {@code impute} (the default, {@code error}, rejects
 * them). {@code one_hot} emits one 0/1 column per non-NULL category (NULL = all zeros) and is never
 * scaled. {@code robust} scaling uses the IQR (p75 − p25), as scikit-learn does (PostgresML uses
 * p80 − p30).
 */
public final class Preprocessor implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    public static final String NULL_CATEGORY = "__NULL__";

    private final List<FeatureColumn> features;
    private final int[] widths;
    private final List<ColumnTransform> transforms = new ArrayList<>();
    private final List<String> outputNames = new ArrayList<>();
    private int outputWidth;

    static final class ColumnTransform implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        String name;
        boolean categorical;
        boolean sourceText;
        ColumnSpec spec;
        Map<String, Integer> codes;      // category → code (NULL = 0)
        double[] targetMeans;            // per code, for target encoding
        double imputeValue = Double.NaN; // in encoded space
        int imputeCode = -1;             // one_hot: the category used for missing
        double center = 0;
        double scale = 1;
        int width;                       // output columns
    }

    // ---- stored state (docs/model-format.md, "preprocessor") ----

    public void writeState(StateWriter out) {
        out.putList("features", features, (w, f) -> w.put("name", f.name())
                .put("type", f.type().name().toLowerCase(Locale.ROOT)).put("array", f.array()));
        out.put("widths", widths);
        out.putList("columns", transforms, (w, t) -> w.put("name", t.name).put("categorical", t.categorical)
                .put("source_text", t.sourceText)
                .putObject("spec", s -> s.put("encode", t.spec.encode().name().toLowerCase(Locale.ROOT)).put("ordinal", t.spec.ordinal())
                        .put("impute", t.spec.impute().name().toLowerCase(Locale.ROOT)).put("scale", t.spec.scale().name().toLowerCase(Locale.ROOT)))
                .putCodes("codes", t.codes).put("target_means", t.targetMeans).put("impute_value", t.imputeValue)
                .put("impute_code", t.imputeCode).put("center", t.center).put("scale", t.scale).put("width", t.width));
        out.put("output_names", outputNames);
        out.put("output_width", outputWidth);
    }

    public static Preprocessor readState(StateReader in) {
        List<FeatureColumn> features = in.list("features", f -> new FeatureColumn(f.getString("name"),
                ColumnType.valueOf(f.getString("type").toUpperCase(Locale.ROOT)), f.getBoolean("array")));
        Preprocessor p = new Preprocessor(features, in.ints("widths"));
        p.transforms.addAll(in.list("columns", c -> {
            ColumnTransform t = new ColumnTransform();
            t.name = c.getString("name");
            t.categorical = c.getBoolean("categorical");
            t.sourceText = c.getBoolean("source_text");
            StateReader s = c.object("spec");
            t.spec = new ColumnSpec(ColumnSpec.Encode.valueOf(s.getString("encode").toUpperCase(Locale.ROOT)), s.strings("ordinal"),
                    ColumnSpec.Impute.valueOf(s.getString("impute").toUpperCase(Locale.ROOT)),
                    ColumnSpec.Scale.valueOf(s.getString("scale").toUpperCase(Locale.ROOT)));
            Map<String, Integer> codes = c.codes("codes");
            t.codes = codes == null ? null : new HashMap<>(codes);
            t.targetMeans = c.doubles("target_means");
            t.imputeValue = c.getDouble("impute_value");
            t.imputeCode = c.getInt("impute_code");
            t.center = c.getDouble("center");
            t.scale = c.getDouble("scale");
            t.width = c.getInt("width");
            return t;
        }));
        p.outputNames.addAll(in.strings("output_names"));
        p.outputWidth = in.getInt("output_width");
        return p;
    }

    private Preprocessor(List<FeatureColumn> features, int[] widths) {
        this.features = List.copyOf(features);
        this.widths = widths.clone();
    }

    /**
     * Fits on {@code rows} of {@code data}. {@code target} (indexed by dataset row; may be null) is the
     * numeric target used by {@code target} encoding.
     */
    public static Preprocessor fit(Dataset data, int[] rows, double[] target, PreprocessSpec spec) {
        Set<String> known = new HashSet<>();
        for (FeatureColumn f : data.featureColumns()) {
            known.add(f.name());
        }
        for (Dataset.Column c : data.columns()) {
            known.add(c.name());
        }
        for (String k : spec.columns().keySet()) {
            if (!known.contains(k)) {
                throw new TabularException("preprocess names the column \"" + k + "\", which is not a feature of the relation",
                        "feature columns: " + data.featureColumns().stream().map(FeatureColumn::name).toList());
            }
        }
        Preprocessor p = new Preprocessor(data.featureColumns(), data.arrayWidths());
        for (Dataset.Column c : data.columns()) {
            ColumnSpec cs = spec.columns().containsKey(c.name()) ? spec.forColumn(c.name()) : spec.forColumn(c.source());
            p.transforms.add(fitColumn(c, cs, rows, target));
        }
        for (ColumnTransform t : p.transforms) {
            if (t.spec.encode() == ColumnSpec.Encode.ONE_HOT) {
                String[] cats = new String[t.codes.size()];
                t.codes.forEach((k, v) -> cats[v] = k);
                for (int i = 1; i < cats.length; i++) {
                    p.outputNames.add(t.name + "=" + cats[i]);
                }
            } else {
                p.outputNames.add(t.name);
            }
            p.outputWidth += t.width;
        }
        if (p.outputWidth == 0) {
            throw new TabularException("preprocessing leaves no feature columns (one_hot of a column with only NULLs?)");
        }
        return p;
    }

    private static ColumnTransform fitColumn(Dataset.Column c, ColumnSpec spec, int[] rows, double[] target) {
        ColumnTransform t = new ColumnTransform();
        t.name = c.name();
        t.spec = spec;
        t.sourceText = c.type() == ColumnType.CATEGORICAL;
        t.categorical = t.sourceText || spec.encode() != ColumnSpec.Encode.NATIVE;
        if (spec.impute() == ColumnSpec.Impute.MEAN && t.categorical && spec.encode() != ColumnSpec.Encode.TARGET) {
            throw new TabularException("preprocess \"" + c.name() + "\": impute mean is not defined for a categorical column unless encode is target",
                    "use impute mode, or encode target");
        }
        double[] enc = new double[rows.length];
        if (t.categorical) {
            t.codes = new HashMap<>();
            if (spec.encode() == ColumnSpec.Encode.ORDINAL) {
                t.codes.put(NULL_CATEGORY, 0);
                for (int i = 0; i < spec.ordinal().size(); i++) {
                    t.codes.put(spec.ordinal().get(i) == null ? NULL_CATEGORY : spec.ordinal().get(i), i + 1);
                }
            } else {
                t.codes.put(NULL_CATEGORY, 0);
            }
            int[] codeOf = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                String key = rawCategory(c, rows[i]);
                if (key == null) {
                    key = NULL_CATEGORY;
                }
                Integer code = t.codes.get(key);
                if (code == null) {
                    if (spec.encode() == ColumnSpec.Encode.ORDINAL) {
                        throw new TabularException("preprocess \"" + c.name() + "\": the value '" + key + "' is not in the ordinal list " + spec.ordinal());
                    }
                    code = t.codes.size();
                    t.codes.put(key, code);
                }
                codeOf[i] = code;
            }
            int n = t.codes.size();
            if (spec.encode() == ColumnSpec.Encode.TARGET) {
                if (target == null) {
                    throw new TabularException("preprocess \"" + c.name() + "\": target encoding needs a label column");
                }
                double[] sum = new double[n];
                int[] cnt = new int[n];
                double total = 0;
                for (int i = 0; i < rows.length; i++) {
                    sum[codeOf[i]] += target[rows[i]];
                    cnt[codeOf[i]]++;
                    total += target[rows[i]];
                }
                double globalMean = rows.length == 0 ? 0 : total / rows.length;
                t.targetMeans = new double[n];
                for (int k = 0; k < n; k++) {
                    t.targetMeans[k] = cnt[k] == 0 ? globalMean : sum[k] / cnt[k];
                }
                for (int i = 0; i < rows.length; i++) {
                    enc[i] = t.targetMeans[codeOf[i]];
                }
            } else {
                for (int i = 0; i < rows.length; i++) {
                    enc[i] = codeOf[i];
                }
            }
            if (spec.encode() == ColumnSpec.Encode.ONE_HOT) {
                t.width = n - 1;
                int[] counts = new int[n];
                for (int code : codeOf) {
                    counts[code]++;
                }
                int best = 0;
                for (int k = 1; k < n; k++) {
                    if (counts[k] > counts[best]) {
                        best = k;
                    }
                }
                t.imputeCode = spec.impute() == ColumnSpec.Impute.ZERO ? 0 : best;
                return t;
            }
        } else {
            for (int i = 0; i < rows.length; i++) {
                enc[i] = c.value(rows[i]);
            }
        }
        t.width = 1;
        // impute statistics on the present values
        boolean anyMissing = false;
        for (double v : enc) {
            anyMissing |= Double.isNaN(v);
        }
        if (spec.impute() != ColumnSpec.Impute.ERROR) {
            double[] present = anyMissing ? Arrays.stream(enc).filter(v -> !Double.isNaN(v)).toArray() : enc;
            if (present.length == 0 && spec.impute() != ColumnSpec.Impute.ZERO) {
                throw new TabularException("column \"" + c.name() + "\" has no values in the training split to impute from");
            }
            t.imputeValue = imputeStat(present, spec.impute());
        } else if (anyMissing) {
            throw new TabularException("column \"" + c.name() + "\" contains NULL or NaN values",
                    "add a preprocess rule, e.g. preprocess => '{\"" + c.name() + "\": {\"impute\": \"mean\"}}', or filter the rows in a view");
        }
        for (int i = 0; i < enc.length; i++) {
            if (Double.isNaN(enc[i])) {
                enc[i] = t.imputeValue;
            }
            if (Double.isInfinite(enc[i])) {
                throw new TabularException("column \"" + c.name() + "\" contains infinite values");
            }
        }
        switch (spec.scale()) {
            case PRESERVE -> { }
            case STANDARD -> {
                double mean = Arrays.stream(enc).average().orElse(0);
                double var = 0;
                for (double v : enc) {
                    var += (v - mean) * (v - mean);
                }
                double sd = enc.length == 0 ? 0 : Math.sqrt(var / enc.length);
                t.center = mean;
                t.scale = sd == 0 ? 1 : sd;
            }
            case MIN_MAX -> {
                double mn = Arrays.stream(enc).min().orElse(0);
                double mx = Arrays.stream(enc).max().orElse(0);
                t.center = mn;
                t.scale = mx - mn == 0 ? 1 : mx - mn;
            }
            case MAX_ABS -> {
                double ma = Arrays.stream(enc).map(Math::abs).max().orElse(0);
                t.scale = ma == 0 ? 1 : ma;
            }
            case ROBUST -> {
                double[] s = enc.clone();
                Arrays.sort(s);
                t.center = quantile(s, 0.5);
                double iqr = quantile(s, 0.75) - quantile(s, 0.25);
                t.scale = iqr == 0 ? 1 : iqr;
            }
        }
        return t;
    }

    private static String rawCategory(Dataset.Column c, int row) {
        return c.type() == ColumnType.CATEGORICAL ? c.category(row) : Values.numberKey(c.value(row));
    }

    static double imputeStat(double[] present, ColumnSpec.Impute how) {
        if (how == ColumnSpec.Impute.ZERO || present.length == 0) {
            return 0;
        }
        double[] s = present.clone();
        Arrays.sort(s);
        return switch (how) {
            case MEAN -> Arrays.stream(s).average().orElse(0);
            case MEDIAN -> quantile(s, 0.5);
            case MIN -> s[0];
            case MAX -> s[s.length - 1];
            case MODE -> modeOfSorted(s);
            default -> 0;
        };
    }

    /** The most frequent value of a sorted, non-empty array (the smallest of equally frequent ones). */
    static double modeOfSorted(double[] s) {
        double best = s[0];
        int bestCount = 0;
        for (int i = 0; i < s.length; ) {
            int j = i;
            while (j < s.length && s[j] == s[i]) {
                j++;
            }
            if (j - i > bestCount) {
                bestCount = j - i;
                best = s[i];
            }
            i = j;
        }
        return best;
    }

    /** Linear-interpolated quantile of a sorted array. */
    public static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    public int outputWidth() {
        return outputWidth;
    }

    /** Names of the model's input columns after encoding (one_hot columns are {@code col=value}). */
    public List<String> outputNames() {
        return List.copyOf(outputNames);
    }

    /** The relation's feature columns the model was trained on. */
    public List<FeatureColumn> featureColumns() {
        return features;
    }

    /** Number of values a flat numeric feature vector must have (array columns flattened). */
    public int inputWidth() {
        return Arrays.stream(widths).sum();
    }

    public boolean hasCategoricalInput() {
        return transforms.stream().anyMatch(t -> t.sourceText);
    }

    /** Transforms rows of a dataset (with the same columns as the training data). */
    public double[][] transform(Dataset data, int[] rows) {
        if (data.columns().size() != transforms.size()) {
            throw new TabularException("the data has " + data.columns().size() + " feature values per row, the model expects " + transforms.size());
        }
        double[][] out = new double[rows.length][outputWidth];
        int off = 0;
        for (int j = 0; j < transforms.size(); j++) {
            ColumnTransform t = transforms.get(j);
            Dataset.Column c = data.columns().get(j);
            for (int i = 0; i < rows.length; i++) {
                if (t.categorical) {
                    String key = rawCategory(c, rows[i]);
                    encodeCategory(t, key, out[i], off);
                } else {
                    out[i][off] = finishNumeric(t, c.value(rows[i]));
                }
            }
            off += t.width;
        }
        return out;
    }

    /**
     * Transforms one row given as values of the relation's feature columns (array columns as Java arrays
     * or collections; text as strings), in the order of {@link #featureColumns()}.
     */
    public double[] transformRow(Object[] row) {
        if (row.length != features.size()) {
            throw new TabularException("the model expects " + features.size() + " columns " + features.stream().map(FeatureColumn::name).toList()
                    + ", got " + row.length + " values");
        }
        double[] out = new double[outputWidth];
        int j = 0;
        int off = 0;
        for (int f = 0; f < features.size(); f++) {
            FeatureColumn fc = features.get(f);
            if (fc.array()) {
                double[] flat = Values.flatten(row[f], fc.name());
                if (flat != null && flat.length != widths[f]) {
                    throw new TabularException("array column \"" + fc.name() + "\" has " + flat.length + " elements; the model was trained with " + widths[f]);
                }
                for (int k = 0; k < widths[f]; k++) {
                    ColumnTransform t = transforms.get(j++);
                    double v = flat == null ? Double.NaN : flat[k];
                    off = put(t, v, t.categorical ? Values.numberKey(v) : null, out, off);
                }
            } else {
                ColumnTransform t = transforms.get(j++);
                Object v = row[f];
                if (t.categorical) {
                    String key = t.sourceText ? Values.toCategory(v) : Values.numberKey(Values.toDouble(v, fc.name()));
                    encodeCategory(t, key, out, off);
                    off += t.width;
                } else {
                    out[off++] = finishNumeric(t, Values.toDouble(v, fc.name()));
                }
            }
        }
        return out;
    }

    private int put(ColumnTransform t, double v, String key, double[] out, int off) {
        if (t.categorical) {
            encodeCategory(t, key, out, off);
        } else {
            out[off] = finishNumeric(t, v);
        }
        return off + t.width;
    }

    /** Transforms a flat numeric feature vector (array columns flattened); text columns cannot be given this way. */
    public double[] transformNumeric(double[] flat) {
        if (flat.length != transforms.size()) {
            throw new TabularException("the model expects " + transforms.size() + " features, got " + flat.length,
                    "pass the features in the order of the training relation's columns " + features.stream().map(FeatureColumn::name).toList());
        }
        if (hasCategoricalInput()) {
            throw new TabularException("the model has text feature columns; pass a row (ROW(...) / the table's row) instead of a numeric array");
        }
        double[] out = new double[outputWidth];
        int off = 0;
        for (int j = 0; j < flat.length; j++) {
            ColumnTransform t = transforms.get(j);
            // the text key only matters to categorical columns; making it costs ~100 ns a value (Double.toString)
            off = put(t, flat[j], t.categorical ? Values.numberKey(flat[j]) : null, out, off);
        }
        return out;
    }

    private double finishNumeric(ColumnTransform t, double v) {
        if (Double.isNaN(v)) {
            if (t.spec.impute() == ColumnSpec.Impute.ERROR) {
                throw new TabularException("feature \"" + t.name + "\" is NULL or NaN and the model has no impute rule for it",
                        "train with preprocess => '{\"" + t.name + "\": {\"impute\": \"mean\"}}' to accept missing values");
            }
            v = t.imputeValue;
        }
        if (Double.isInfinite(v)) {
            throw new TabularException("feature \"" + t.name + "\" is infinite");
        }
        return (v - t.center) / t.scale;
    }

    private void encodeCategory(ColumnTransform t, String key, double[] out, int off) {
        Integer code = t.codes.get(key == null ? NULL_CATEGORY : key);
        if (t.spec.encode() == ColumnSpec.Encode.ONE_HOT) {
            if (code == null) {
                if (t.spec.impute() == ColumnSpec.Impute.ERROR) {
                    throw unseen(t, key);
                }
                code = t.imputeCode;
            }
            for (int k = 0; k < t.width; k++) {
                out[off + k] = 0;
            }
            if (code > 0) {
                out[off + code - 1] = 1;
            }
            return;
        }
        double v;
        if (code == null) {
            if (t.spec.impute() == ColumnSpec.Impute.ERROR) {
                throw unseen(t, key);
            }
            v = t.imputeValue;
        } else {
            v = t.targetMeans != null ? t.targetMeans[code] : code;
        }
        out[off] = (v - t.center) / t.scale;
    }

    private static TabularException unseen(ColumnTransform t, String key) {
        return new TabularException("feature \"" + t.name + "\" has the value '" + key + "', which the model did not see in training",
                "train with an impute rule for this column (e.g. {\"impute\": \"mode\"}) to map unseen values");
    }
}
