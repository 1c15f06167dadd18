package io.pgmlsidecar.ml.tabular.search;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Hyperparameter search per pgml.train's {@code search} / {@code search_params} / {@code search_args}:
 * candidates are the cartesian product of {@code hyperparams} (fixed) and {@code search_params} (arrays);
 * {@code random} samples {@code n_iter} (default 10) of them without replacement; each is scored by
 * {@code cv}-fold cross-validation (default 5) on the training split with the task's target metric.
 * Unlike PostgresML, the best candidate is chosen by its <em>mean</em> fold score and the caller refits
 * it on the whole training split (PostgresML keeps the single best fold's model).
 */
public final class HyperSearch {
    private HyperSearch() {
    }

    /** Scores one candidate on one fold: returns {score, fit seconds, score seconds}. */
    @FunctionalInterface
    public interface FoldEvaluator {
        double[] evaluate(Map<String, Object> params, int[] trainRows, int[] testRows);
    }

    public record Result(Map<String, Object> bestParams, int bestIndex, Map<String, Object> searchResults) {
    }

    public enum Kind { GRID, RANDOM }

    public static Kind parseKind(String search) {
        if (search == null || search.isBlank()) {
            return null;
        }
        return switch (search.trim().toLowerCase(Locale.ROOT)) {
            case "grid" -> Kind.GRID;
            case "random" -> Kind.RANDOM;
            default -> throw new TabularException("invalid search \"" + search + "\"", "use grid or random");
        };
    }

    public static int folds(Map<String, Object> searchArgs, Kind kind) {
        checkArgs(searchArgs);
        Object cv = searchArgs.get("cv");
        int k = cv == null ? (kind == null ? 1 : 5) : toInt("cv", cv);
        if (kind != null && k < 2) {
            throw new TabularException("search_args cv must be at least 2, got " + k);
        }
        return k;
    }

    private static void checkArgs(Map<String, Object> searchArgs) {
        for (String key : searchArgs.keySet()) {
            if (!key.equals("n_iter") && !key.equals("cv")) {
                throw new TabularException("unknown search_args key \"" + key + "\"", "search_args accepts n_iter and cv");
            }
        }
    }

    private static int toInt(String name, Object v) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        throw new TabularException("search_args " + name + " must be an integer, got " + v);
    }

    /** The candidate parameter sets. */
    public static List<Map<String, Object>> candidates(Map<String, Object> hyperparams, Kind kind, Map<String, List<Object>> searchParams,
                                                       Map<String, Object> searchArgs, long seed) {
        checkArgs(searchArgs);
        for (String k : searchParams.keySet()) {
            if (hyperparams.containsKey(k)) {
                throw new TabularException("\"" + k + "\" is in both hyperparams and search_params",
                        "put fixed values in hyperparams and the values to search in search_params");
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>(hyperparams));
        for (Map.Entry<String, List<Object>> e : searchParams.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty()) {
                throw new TabularException("search_params \"" + e.getKey() + "\" must be a non-empty array of values");
            }
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> base : out) {
                for (Object v : e.getValue()) {
                    Map<String, Object> m = new LinkedHashMap<>(base);
                    m.put(e.getKey(), v);
                    next.add(m);
                }
            }
            out = next;
            if (out.size() > 100_000) {
                throw new TabularException("search_params define more than 100000 combinations", "use search => 'random' with fewer values");
            }
        }
        if (kind == Kind.RANDOM) {
            int nIter = searchArgs.containsKey("n_iter") ? toInt("n_iter", searchArgs.get("n_iter")) : 10;
            if (nIter < 1) {
                throw new TabularException("search_args n_iter must be ≥ 1");
            }
            if (nIter < out.size()) {
                SplittableRandom rnd = new SplittableRandom(seed);
                for (int i = 0; i < nIter; i++) {
                    int j = i + rnd.nextInt(out.size() - i);
                    Map<String, Object> t = out.get(i);
                    out.set(i, out.get(j));
                    out.set(j, t);
                }
                out = new ArrayList<>(out.subList(0, nIter));
            }
        }
        return out;
    }

    /**
     * Runs the search. {@code foldOf[i]} is the fold of training row {@code trainRows[i]}.
     */
    public static Result run(List<Map<String, Object>> candidates, int[] trainRows, int[] foldOf, int k, FoldEvaluator eval, FitContext ctx) {
        int c = candidates.size();
        double[][] scores = new double[c][k];
        double[][] fitT = new double[c][k];
        double[][] scoreT = new double[c][k];
        int total = c * k;
        int done = 0;
        for (int ci = 0; ci < c; ci++) {
            for (int f = 0; f < k; f++) {
                ctx.step("search", "search fit", ++done, total);
                int nTest = 0;
                for (int v : foldOf) {
                    if (v == f) {
                        nTest++;
                    }
                }
                int[] tr = new int[trainRows.length - nTest];
                int[] te = new int[nTest];
                int a = 0;
                int b = 0;
                for (int i = 0; i < trainRows.length; i++) {
                    if (foldOf[i] == f) {
                        te[b++] = trainRows[i];
                    } else {
                        tr[a++] = trainRows[i];
                    }
                }
                double[] r = eval.evaluate(candidates.get(ci), tr, te);
                scores[ci][f] = r[0];
                fitT[ci][f] = r[1];
                scoreT[ci][f] = r[2];
            }
        }
        int best = -1;
        double bestMean = Double.NEGATIVE_INFINITY;
        double[] means = new double[c];
        for (int ci = 0; ci < c; ci++) {
            means[ci] = mean(scores[ci]);
            if (!Double.isNaN(means[ci]) && (best < 0 || means[ci] > bestMean)) {
                best = ci;
                bestMean = means[ci];
            }
        }
        if (best < 0) {
            throw new TabularException("no search candidate could be scored (every fold score was undefined)");
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("params", candidates);
        res.put("n_splits", k);
        res.put("best_index", best);
        res.put("mean_fit_time", rowStat(fitT, false));
        res.put("std_fit_time", rowStat(fitT, true));
        res.put("mean_score_time", rowStat(scoreT, false));
        res.put("std_score_time", rowStat(scoreT, true));
        res.put("mean_test_score", rowStat(scores, false));
        res.put("std_test_score", rowStat(scores, true));
        for (int f = 0; f < k; f++) {
            List<Object> col = new ArrayList<>();
            for (int ci = 0; ci < c; ci++) {
                col.add(json(scores[ci][f]));
            }
            res.put("split" + f + "_test_score", col);
        }
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        candidates.forEach(m -> names.addAll(m.keySet()));
        for (String n : names) {
            List<Object> col = new ArrayList<>();
            for (Map<String, Object> m : candidates) {
                col.add(m.get(n));
            }
            res.put("param_" + n, col);
        }
        return new Result(candidates.get(best), best, res);
    }

    private static List<Object> rowStat(double[][] v, boolean std) {
        List<Object> out = new ArrayList<>();
        for (double[] row : v) {
            double m = mean(row);
            if (!std) {
                out.add(json(m));
            } else {
                double s = 0;
                for (double x : row) {
                    s += (x - m) * (x - m);
                }
                out.add(json(Math.sqrt(s / row.length)));
            }
        }
        return out;
    }

    private static Object json(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
