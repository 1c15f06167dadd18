package io.pgmlsidecar.planner.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.pgmlsidecar.planner.functions.ApiFunction;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Meters per API function and per model: calls (one per batch of rows), rows, rows per batch,
 * duration, and errors by SQLSTATE. Registered with Micrometer's global registry, which the
 * launcher scrapes. The model label is the model or project a call names (operators choose those
 * names, so their number stays small); past {@link #MAX_MODELS} distinct names, others are
 * counted as {@code other}, so a client cannot blow up the series count.
 */
public final class CallMetrics {

    public static final String CALLS = "pgml.calls";
    public static final String ROWS = "pgml.call.rows";
    public static final String BATCH_ROWS = "pgml.call.batch.rows";
    public static final String DURATION = "pgml.call.duration";
    public static final String ERRORS = "pgml.call.errors";

    static final int MAX_MODELS = 200;
    /** The first parameter names a model or project for these parameter names. */
    private static final Set<String> MODEL_PARAMETERS = Set.of("transformer", "project_name");

    private static final Set<String> MODELS = ConcurrentHashMap.newKeySet();

    private CallMetrics() {}

    /**
     * As {@link #measure(ApiFunction, String, int, Supplier)}, for a call on {@code session}: a registry statement
     * that fails because the database has no {@code pgml} schema is reported as such ({@link MissingPgmlSchema}).
     */
    public static <T> T measure(io.pgmlsidecar.proxy.intercept.SessionContext session, ApiFunction function,
            String firstArgument, int rows, Supplier<T> call) {
        try {
            return measure(function, firstArgument, rows, call);
        } catch (PgException e) {
            PgException clearer = MissingPgmlSchema.explain(e, session.startupParameters().get("database"));
            if (clearer == null) throw e;
            throw clearer;
        }
    }

    /** Runs one call over {@code rows} argument rows; {@code firstArgument} is the model's text form (may be null). */
    public static <T> T measure(ApiFunction function, String firstArgument, int rows, Supplier<T> call) {
        MeterRegistry registry = Metrics.globalRegistry;
        String name = function.qualifiedName();
        String model = model(function, firstArgument);
        long start = System.nanoTime();
        try {
            return call.get();
        } catch (PgException e) {
            error(registry, name, e.error().sqlState());
            throw e;
        } catch (RuntimeException | Error e) {
            PgException limit = CallLimits.translate(e, name, firstArgument);
            if (limit != null) {
                error(registry, name, limit.error().sqlState());
                throw limit;
            }
            error(registry, name, "XX000");
            throw e;
        } finally {
            long nanos = System.nanoTime() - start;
            Counter.builder(CALLS).description("calls of the API, one per batch of rows").tag("function", name).tag("model", model)
                    .register(registry).increment();
            Counter.builder(ROWS).description("argument rows the calls processed").tag("function", name).tag("model", model)
                    .register(registry).increment(rows);
            DistributionSummary.builder(BATCH_ROWS).description("argument rows per call (batch size)").tag("function", name)
                    .serviceLevelObjectives(1, 8, 32, 64, 128, 256, 512, 1024, 4096).register(registry).record(rows);
            Timer.builder(DURATION).description("time a call took in the sidecar (inference, training, registry steps)")
                    .tag("function", name).tag("model", model).publishPercentileHistogram().register(registry)
                    .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** As {@link #measure}, for a call over argument rows whose first column may name the model. */
    public static <T> T measureRows(io.pgmlsidecar.proxy.intercept.SessionContext session, ApiFunction function,
            List<String[]> argumentRows, Supplier<T> call) {
        String first = argumentRows.isEmpty() || argumentRows.get(0).length == 0 ? null : argumentRows.get(0)[0];
        return measure(session, function, first, argumentRows.size(), call);
    }

    private static void error(MeterRegistry registry, String function, String sqlState) {
        Counter.builder(ERRORS).description("failed calls by SQLSTATE").tag("function", function)
                .tag("sqlstate", sqlState == null ? "XX000" : sqlState).register(registry).increment();
    }

    static String model(ApiFunction function, String firstArgument) {
        if (firstArgument == null || function.parameters().isEmpty()
                || !MODEL_PARAMETERS.contains(function.parameters().get(0).name())) {
            return "";
        }
        if (MODELS.contains(firstArgument)) {
            return firstArgument;
        }
        if (MODELS.size() >= MAX_MODELS) {
            return "other";
        }
        MODELS.add(firstArgument);
        return firstArgument;
    }
}
