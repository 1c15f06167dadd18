package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.TabularException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Hyperparameters as PostgresML passes them (a JSON object, scikit-learn / XGBoost names). Each
 * algorithm reads the keys it knows; {@link #finish()} rejects any other key with a list of the accepted
 * ones. {@code random_state}, {@code n_jobs} and {@code verbose} are accepted everywhere.
 *
 * <p>A key given as JSON {@code null} is scikit-learn's {@code None}, not "use the default": the getters
 * that may be None ({@link #optInt}, {@link #any}) return null for it even where the default is a value
 * (birch's {@code n_clusters: null} keeps every subcluster, a forest's {@code max_features: null} uses
 * every feature); {@link #str} gives {@code "none"} where that word is accepted; the getters of values
 * scikit-learn never lets be None refuse it, as scikit-learn does, rather than silently use the default.
 * XGBoost's and LightGBM's parameters are read through {@link #noneMeansDefault}: their wrappers drop
 * None parameters, so there null does mean the default.
 */
public final class Params {
    private final String algorithm;
    private final Map<String, Object> values;
    private final Set<String> known = new LinkedHashSet<>();
    private final Map<String, Object> resolved = new LinkedHashMap<>();

    public Params(String algorithm, Map<String, ?> values) {
        this.algorithm = algorithm;
        this.values = values == null ? Map.of() : new LinkedHashMap<>(values);
        known.add("random_state");
        known.add("n_jobs");
        known.add("verbose");
    }

    /**
     * Parameters of a library whose Python wrapper drops None values before the library sees them
     * (XGBoost's and LightGBM's): there a null is the same as leaving the key out.
     */
    public static Params noneMeansDefault(String algorithm, Map<String, ?> values) {
        Map<String, Object> given = new LinkedHashMap<>();
        if (values != null) {
            values.forEach((k, v) -> {
                if (v != null) {
                    given.put(k, v);
                }
            });
        }
        Params p = new Params(algorithm, given);
        if (values != null) {
            // a key given as null is left out, so it is not "unknown" either
            values.forEach((k, v) -> {
                if (v == null) {
                    p.known.add(k);
                }
            });
        }
        return p;
    }

    public Map<String, Object> raw() {
        return values;
    }

    /** The values used (defaults filled in), for the model's record. */
    public Map<String, Object> resolved() {
        return resolved;
    }

    /** Stands for a key given as JSON null, so that "given as None" and "not given" stay apart. */
    private static final Object NONE = new Object();

    /** The value of key (or of its first alias given), NONE for an explicit null, dflt when none is given. */
    private Object lookup(String key, Object dflt, String... aliases) {
        known.add(key);
        for (String a : aliases) {
            known.add(a);
        }
        if (values.containsKey(key)) {
            return values.get(key) == null ? NONE : values.get(key);
        }
        for (String a : aliases) {
            if (values.containsKey(a)) {
                return values.get(a) == null ? NONE : values.get(a);
            }
        }
        return dflt;
    }

    /** A value that may not be None: an explicit null is refused as scikit-learn refuses it. */
    private Object get(String key, Object dflt, String expected, String... aliases) {
        Object v = lookup(key, dflt, aliases);
        if (v == NONE) {
            throw new TabularException("hyperparameter " + key + " of " + algorithm + " must be " + expected
                    + ", got null (None), which " + key + " does not accept", "leave " + key + " out to use its default");
        }
        return v;
    }

    /** A value that may be None: an explicit null gives null whatever the default. */
    private Object getOrNone(String key, Object dflt) {
        Object v = lookup(key, dflt);
        return v == NONE ? null : v;
    }

    public boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    public double dbl(String key, double dflt, String... aliases) {
        Object v = get(key, dflt, "a number", aliases);
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else {
            try {
                d = Double.parseDouble(String.valueOf(v));
            } catch (NumberFormatException e) {
                throw bad(key, v, "a number");
            }
        }
        resolved.put(key, d);
        return d;
    }

    public int integer(String key, int dflt, String... aliases) {
        Object v = get(key, dflt, "an integer", aliases);
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else {
            try {
                d = Double.parseDouble(String.valueOf(v));
            } catch (NumberFormatException e) {
                throw bad(key, v, "an integer");
            }
        }
        if (d != Math.rint(d)) {
            throw bad(key, v, "an integer");
        }
        resolved.put(key, (int) d);
        return (int) d;
    }

    public boolean bool(String key, boolean dflt, String... aliases) {
        Object v = get(key, dflt, "true or false", aliases);
        boolean b;
        if (v instanceof Boolean bb) {
            b = bb;
        } else if ("true".equalsIgnoreCase(String.valueOf(v))) {
            b = true;
        } else if ("false".equalsIgnoreCase(String.valueOf(v))) {
            b = false;
        } else {
            throw bad(key, v, "true or false");
        }
        resolved.put(key, b);
        return b;
    }

    public String str(String key, String dflt, String... allowed) {
        Object v = lookup(key, dflt);
        if (v == NONE) {
            // scikit-learn's None where a word means the same (SGD's penalty=None is "no penalty")
            v = List.of(allowed).contains("none") ? "none"
                    : get(key, dflt, allowed.length > 0 ? "one of " + String.join(", ", allowed) : "a string");
        }
        String s = v == null ? null : String.valueOf(v).toLowerCase(Locale.ROOT);
        if (allowed.length > 0 && s != null && !List.of(allowed).contains(s)) {
            throw bad(key, v, "one of " + String.join(", ", allowed));
        }
        if (s != null) {
            resolved.put(key, s);
        }
        return s;
    }

    /** A value that may be a number or one of some words (e.g. max_features: "sqrt" | 0.5 | 10). */
    public Object any(String key, Object dflt) {
        Object v = getOrNone(key, dflt);
        if (v != null) {
            resolved.put(key, v);
        }
        return v;
    }

    /** An integer that may be None: null, "None" and "null" mean None, even where the default is a number. */
    public Integer optInt(String key, Integer dflt) {
        Object v = getOrNone(key, dflt);
        if (v == null || "none".equalsIgnoreCase(String.valueOf(v)) || "null".equalsIgnoreCase(String.valueOf(v))) {
            resolved.put(key, null);
            return null;
        }
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else {
            try {
                d = Double.parseDouble(String.valueOf(v));
            } catch (NumberFormatException e) {
                throw bad(key, v, "an integer or null");
            }
        }
        if (d != Math.rint(d)) {
            throw bad(key, v, "an integer or null");
        }
        resolved.put(key, (int) d);
        return (int) d;
    }

    public long seed(long dflt) {
        Object v = getOrNone("random_state", null);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw bad("random_state", v, "an integer");
    }

    public void mark(String... keys) {
        for (String k : keys) {
            known.add(k);
        }
    }

    public TabularException bad(String key, Object v, String expected) {
        return new TabularException("hyperparameter " + key + " of " + algorithm + " must be " + expected + ", got " + v);
    }

    /** Rejects keys the algorithm does not know. */
    public void finish() {
        List<String> unknown = new ArrayList<>();
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new TabularException("unknown hyperparameter" + (unknown.size() > 1 ? "s " : " ") + unknown + " for " + algorithm,
                    "accepted: " + String.join(", ", known));
        }
    }
}
