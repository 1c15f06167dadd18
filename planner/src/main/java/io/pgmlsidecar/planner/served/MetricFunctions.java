package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.metrics.SklearnMetrics;
import io.pgmlsidecar.planner.functions.ApiFunction;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.values.JsonbText;
import io.pgmlsidecar.planner.values.NumericArrays;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.List;
import java.util.function.BiFunction;

/**
 * pgml.sklearn_f1_score, sklearn_r2_score, sklearn_regression_metrics and
 * sklearn_classification_metrics (ground_truth real[], y_hat real[]): row-wise, so they also serve
 * {@code SELECT pgml.sklearn_r2_score(array_agg(y), array_agg(p)) FROM t}.
 */
final class MetricFunctions {
    private MetricFunctions() {}

    static void register(AloneForms alone, CallFunctions rowWise) {
        add(alone, rowWise, FunctionRegistry.SKLEARN_F1_SCORE, PgTypes.FLOAT4, (y, p) -> (float) SklearnMetrics.f1Binary(y, p));
        add(alone, rowWise, FunctionRegistry.SKLEARN_R2_SCORE, PgTypes.FLOAT4, (y, p) -> (float) SklearnMetrics.r2(y, p));
        add(alone, rowWise, FunctionRegistry.SKLEARN_REGRESSION_METRICS, PgTypes.JSONB, (y, p) -> json(SklearnMetrics.regression(y, p)));
        // num_classes is accepted and, as in PostgresML, not needed: the labels present decide
        add(alone, rowWise, FunctionRegistry.SKLEARN_CLASSIFICATION_METRICS, PgTypes.JSONB,
                (y, p) -> json(SklearnMetrics.classification(y, p)));
    }

    private static void add(AloneForms alone, CallFunctions rowWise, ApiFunction f, int typeOid, BiFunction<double[], double[], Object> metric) {
        CallFunctions.RowFunction rows = (s, argumentRows) -> {
            Object[] out = new Object[argumentRows.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = apply(f, metric, argumentRows.get(i));
            }
            return out;
        };
        rowWise.add(f, typeOid, rows);
        alone.add(f, AloneForms.scalar(typeOid, false, (s, args) -> apply(f, metric, args.toArray(new String[0]))));
    }

    private static Object apply(ApiFunction f, BiFunction<double[], double[], Object> metric, String[] args) {
        if (args[0] == null || args[1] == null) {
            return null; // STRICT
        }
        try {
            return metric.apply(NumericArrays.parse(args[0]), NumericArrays.parse(args[1]));
        } catch (TabularException e) {
            throw new PgException(PgError.error("22023", f.qualifiedName() + ": " + e.getMessage(), e.hint()));
        } catch (NumberFormatException e) {
            throw new PgException(PgError.error("22P02", f.qualifiedName() + ": not a numeric array: " + e.getMessage(),
                    "Pass real[] arrays, e.g. ARRAY[1, 0, 1]::real[]."));
        }
    }

    private static String json(Object value) {
        return JsonbText.of(value);
    }
}
