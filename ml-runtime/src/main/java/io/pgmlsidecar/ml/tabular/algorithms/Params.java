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

    public Map<String, Object> raw() {
        return values;
    }

    /** The values used (defaults filled in), for the model's record. */
    public Map<String, Object> resolved() {
        return resolved;
    }

    private Object get(String key, Object dflt, String... aliases) {
        known.add(key);
        for (String a : aliases) {
            known.add(a);
        }
        Object v = values.get(key);
        for (String a : aliases) {
            if (v == null && values.containsKey(a)) {
                v = values.get(a);
            }
        }
        return v == null ? dflt : v;
    }

    public boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    public double dbl(String key, double dflt, String... aliases) {
        Object v = get(key, dflt, aliases);
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
        Object v = get(key, dflt, aliases);
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
        Object v = get(key, dflt, aliases);
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
        Object v = get(key, dflt);
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
        Object v = get(key, dflt);
        if (v != null) {
            resolved.put(key, v);
        }
        return v;
    }

    /** An optional integer: null, "None" and "null" mean unset (scikit-learn's None). */
    public Integer optInt(String key, Integer dflt) {
        Object v = get(key, dflt);
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
        Object v = get("random_state", null);
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
