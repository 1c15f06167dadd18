package io.pgmlsidecar.ml.tabular.preprocess;

import io.pgmlsidecar.ml.tabular.TabularException;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One column's entry of the {@code preprocess} JSON: {@code {"encode": …, "impute": …, "scale": …}}.
 * encode: native | target | one_hot | {"ordinal": ["a", "b", …]}; impute: error | mean | median | mode |
 * min | max | zero; scale: preserve | standard | min_max | max_abs | robust.
 */
public record ColumnSpec(Encode encode, List<String> ordinal, Impute impute, Scale scale) implements Serializable {
    public enum Encode { NATIVE, TARGET, ONE_HOT, ORDINAL }

    public enum Impute { ERROR, MEAN, MEDIAN, MODE, MIN, MAX, ZERO }

    public enum Scale { PRESERVE, STANDARD, MIN_MAX, MAX_ABS, ROBUST }

    public static final ColumnSpec DEFAULT = new ColumnSpec(Encode.NATIVE, null, Impute.ERROR, Scale.PRESERVE);

    static ColumnSpec parse(String column, Object value) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new TabularException("preprocess entry for column \"" + column + "\" must be a JSON object like {\"impute\": \"mean\", \"scale\": \"standard\"}");
        }
        Encode encode = Encode.NATIVE;
        List<String> ordinal = null;
        Impute impute = Impute.ERROR;
        Scale scale = Scale.PRESERVE;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = String.valueOf(e.getKey());
            Object v = e.getValue();
            switch (key) {
                case "encode" -> {
                    if (v instanceof Map<?, ?> om && om.size() == 1 && om.containsKey("ordinal")) {
                        Object list = om.get("ordinal");
                        if (!(list instanceof List<?> l) || l.isEmpty()) {
                            throw new TabularException("preprocess \"" + column + "\": encode ordinal needs a non-empty list of values");
                        }
                        encode = Encode.ORDINAL;
                        ordinal = l.stream().map(x -> x == null ? null : String.valueOf(x)).toList();
                    } else {
                        encode = switch (name(v)) {
                            case "native" -> Encode.NATIVE;
                            case "target" -> Encode.TARGET;
                            case "one_hot", "onehot" -> Encode.ONE_HOT;
                            default -> throw new TabularException("preprocess \"" + column + "\": unknown encode " + v,
                                    "use native, target, one_hot, or {\"ordinal\": [values in order]}");
                        };
                    }
                }
                case "impute" -> impute = switch (name(v)) {
                    case "error" -> Impute.ERROR;
                    case "mean" -> Impute.MEAN;
                    case "median" -> Impute.MEDIAN;
                    case "mode" -> Impute.MODE;
                    case "min" -> Impute.MIN;
                    case "max" -> Impute.MAX;
                    case "zero" -> Impute.ZERO;
                    default -> throw new TabularException("preprocess \"" + column + "\": unknown impute " + v,
                            "use error, mean, median, mode, min, max or zero");
                };
                case "scale" -> scale = switch (name(v)) {
                    case "preserve" -> Scale.PRESERVE;
                    case "standard" -> Scale.STANDARD;
                    case "min_max" -> Scale.MIN_MAX;
                    case "max_abs" -> Scale.MAX_ABS;
                    case "robust" -> Scale.ROBUST;
                    default -> throw new TabularException("preprocess \"" + column + "\": unknown scale " + v,
                            "use preserve, standard, min_max, max_abs or robust");
                };
                default -> throw new TabularException("preprocess \"" + column + "\": unknown key \"" + key + "\"",
                        "the keys are encode, impute and scale");
            }
        }
        return new ColumnSpec(encode, ordinal, impute, scale);
    }

    private static String name(Object v) {
        return v == null ? "null" : String.valueOf(v).trim().toLowerCase(Locale.ROOT);
    }
}
