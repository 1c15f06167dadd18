package io.pgmlsidecar.ml.tabular.preprocess;

import io.pgmlsidecar.ml.tabular.data.ColumnType;
import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.data.FeatureColumn;
import io.pgmlsidecar.ml.tabular.data.LabelKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-column description PostgresML keeps in {@code pgml.snapshots.columns}: name, nullable,
 * label, position, size, array, preprocessor {encode, impute, scale} and statistics {min, max, max_abs,
 * mean, median, mode, variance, std_dev, missing, distinct, histogram[20], ventiles[19], categories}.
 * Computed over the given rows (the training split). {@code pg_type} is left for the caller, which
 * knows the relation's types. Values are JSON-ready (no NaN: empty statistics are null).
 */
public final class ColumnStatistics {
    private ColumnStatistics() {
    }

    public static List<Map<String, Object>> describe(Dataset data, int[] rows, PreprocessSpec spec) {
        List<Map<String, Object>> out = new ArrayList<>();
        int position = 1;
        int col = 0;
        int[] widths = data.arrayWidths();
        for (int f = 0; f < data.featureColumns().size(); f++) {
            FeatureColumn fc = data.featureColumns().get(f);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", fc.name());
            m.put("pg_type", null);
            m.put("label", false);
            m.put("position", position++);
            m.put("size", widths[f]);
            m.put("array", fc.array());
            ColumnSpec cs = spec.forColumn(fc.name());
            Map<String, Object> pre = new LinkedHashMap<>();
            pre.put("encode", cs.encode() == ColumnSpec.Encode.ORDINAL ? Map.of("ordinal", cs.ordinal()) : cs.encode().name().toLowerCase());
            pre.put("impute", cs.impute().name().toLowerCase());
            pre.put("scale", cs.scale().name().toLowerCase());
            m.put("preprocessor", pre);
            Map<String, Object> stats;
            if (fc.type() == ColumnType.CATEGORICAL) {
                stats = categorical(data.columns().get(col), rows);
            } else {
                List<Dataset.Column> parts = data.columns().subList(col, col + widths[f]);
                double[] v = new double[rows.length * parts.size()];
                int k = 0;
                for (int r : rows) {
                    for (Dataset.Column c : parts) {
                        v[k++] = c.value(r);
                    }
                }
                stats = numeric(v);
            }
            m.put("nullable", ((Number) stats.get("missing")).intValue() > 0);
            m.put("statistics", stats);
            out.add(m);
            col += widths[f];
        }
        for (int t = 0; t < data.numTargets(); t++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", data.labelNames().get(t));
            m.put("pg_type", null);
            m.put("nullable", false);
            m.put("label", true);
            m.put("position", position++);
            m.put("size", 1);
            m.put("array", false);
            m.put("preprocessor", Map.of("encode", "native", "impute", "error", "scale", "preserve"));
            if (data.labelKind() == LabelKind.TEXT) {
                Map<String, Integer> counts = new LinkedHashMap<>();
                for (int r : rows) {
                    counts.merge(data.labelKey(r), 1, Integer::sum);
                }
                Map<String, Object> stats = new LinkedHashMap<>();
                Map<String, Object> cats = new LinkedHashMap<>();
                int code = 1;
                for (Map.Entry<String, Integer> e : counts.entrySet()) {
                    cats.put(e.getKey(), Map.of("value", code++, "members", e.getValue()));
                }
                stats.put("missing", 0);
                stats.put("distinct", counts.size());
                stats.put("categories", cats);
                m.put("statistics", stats);
            } else {
                double[] v = new double[rows.length];
                for (int i = 0; i < rows.length; i++) {
                    v[i] = data.numericLabel(rows[i], t);
                }
                m.put("statistics", numeric(v));
            }
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> numeric(double[] all) {
        // one sorted copy of the present values serves every statistic (array columns make it long:
        // rows × width values)
        double[] v = new double[all.length];
        int n = 0;
        for (double x : all) {
            if (!Double.isNaN(x)) {
                v[n++] = x;
            }
        }
        v = n == all.length ? v : Arrays.copyOf(v, n);
        Arrays.sort(v);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("min", n == 0 ? null : v[0]);
        s.put("max", n == 0 ? null : v[n - 1]);
        s.put("max_abs", n == 0 ? null : Math.max(Math.abs(v[0]), Math.abs(v[n - 1])));
        double mean = n == 0 ? Double.NaN : Arrays.stream(v).sum() / n;
        double var = 0;
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            var += (v[i] - mean) * (v[i] - mean);
            // Double.compare, as Double.equals: -0.0 and 0.0 are two values
            distinct += i == 0 || Double.compare(v[i], v[i - 1]) != 0 ? 1 : 0;
        }
        var = n == 0 ? Double.NaN : var / n;
        s.put("mean", n == 0 ? null : mean);
        s.put("median", n == 0 ? null : Preprocessor.quantile(v, 0.5));
        s.put("mode", n == 0 ? null : Preprocessor.modeOfSorted(v));
        s.put("variance", n == 0 ? null : var);
        s.put("std_dev", n == 0 ? null : Math.sqrt(var));
        s.put("missing", all.length - n);
        s.put("distinct", distinct);
        List<Integer> hist = new ArrayList<>();
        if (n > 0) {
            int[] h = new int[20];
            double w = (v[n - 1] - v[0]) / 20;
            for (double x : v) {
                int b = w == 0 ? 0 : Math.min(19, (int) ((x - v[0]) / w));
                h[b]++;
            }
            for (int c : h) {
                hist.add(c);
            }
        }
        s.put("histogram", hist);
        List<Double> ventiles = new ArrayList<>();
        if (n > 0) {
            for (int k = 1; k < 20; k++) {
                ventiles.add(Preprocessor.quantile(v, k / 20.0));
            }
        }
        s.put("ventiles", ventiles);
        s.put("categories", null);
        return s;
    }

    static Map<String, Object> categorical(Dataset.Column c, int[] rows) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put(Preprocessor.NULL_CATEGORY, 0);
        int missing = 0;
        for (int r : rows) {
            String k = c.category(r);
            if (k == null) {
                missing++;
                k = Preprocessor.NULL_CATEGORY;
            }
            counts.merge(k, 1, Integer::sum);
        }
        Map<String, Object> cats = new LinkedHashMap<>();
        Map<String, Integer> codes = new HashMap<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            codes.put(e.getKey(), codes.size());
            cats.put(e.getKey(), Map.of("value", codes.get(e.getKey()), "members", e.getValue()));
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("missing", missing);
        s.put("distinct", counts.size() - 1); // non-NULL categories
        s.put("categories", cats);
        return s;
    }
}
