package io.pgmlsidecar.planner.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.remote.CallOptions;
import io.pgmlsidecar.ml.remote.Endpoint;
import io.pgmlsidecar.ml.remote.EndpointKind;
import io.pgmlsidecar.ml.remote.RemoteCallException;
import io.pgmlsidecar.ml.remote.RemoteModels;
import io.pgmlsidecar.planner.values.JsonbText;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * azure_ml.invoke(input_data jsonb, timeout_ms, throw_on_error, deployment_name, max_attempts,
 * retry_delay_ms) → jsonb: the input is POSTed to the online endpoint of the
 * azure_ml.scoring_endpoint setting with the azure_ml.endpoint_key as bearer token. Over many rows
 * the calls run concurrently (within the endpoint's limits), identical inputs are sent once, and with
 * azure_ml.max_batch_rows set, MLflow-style inputs share requests ({@link AzureMlBatches}).
 */
public final class AzureMlInvocations {

    private final AzureSettings settings;
    private final RemoteModels remote;

    public AzureMlInvocations(AzureSettings settings, RemoteModels remote) {
        this.settings = settings;
        this.remote = remote;
    }

    /** One result (jsonb text, or null) per argument row. */
    public Object[] invoke(SessionContext session, List<String[]> rows) {
        Object[] out = new Object[rows.size()];
        Map<List<String>, List<Integer>> distinct = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i)[0] != null) {
                distinct.computeIfAbsent(Arrays.asList(rows.get(i)), k -> new ArrayList<>()).add(i);
            }
        }
        if (distinct.isEmpty()) {
            return out;
        }
        Endpoint endpoint = endpoint(session);
        List<List<String>> calls = new ArrayList<>(distinct.keySet());
        Object[] results = new Object[calls.size()];
        RemoteCallException[] failures = new RemoteCallException[calls.size()];
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (AzureMlBatches.Batch batch : AzureMlBatches.plan(calls, maxBatchRows(session))) {
                running.add(pool.submit(() -> run(endpoint, calls, batch, results, failures)));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgException("57014", "canceling statement due to user request", null);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        for (int k = 0; k < calls.size(); k++) {
            Object value = results[k];
            if (failures[k] != null) {
                boolean throwOnError = calls.get(k).get(2) == null || isTrue(calls.get(k).get(2));
                if (throwOnError) {
                    throw RemoteFailures.error(failures[k]);
                }
                warn(session, failures[k]);
                value = null;
            }
            for (int row : distinct.get(calls.get(k))) {
                out[row] = value;
            }
        }
        return out;
    }

    /** One request; a merged reply that is not one element per data row sends each call alone instead. */
    private void run(Endpoint endpoint, List<List<String>> calls, AzureMlBatches.Batch batch, Object[] results,
                     RemoteCallException[] failures) {
        if (batch.merged()) {
            try {
                List<JsonNode> parts = AzureMlBatches.split(batch, remote.azureMl().invoke(endpoint, batch.input(),
                        calls.get(batch.calls().get(0)).get(3), options(calls.get(batch.calls().get(0)))));
                if (parts != null) {
                    for (int i = 0; i < parts.size(); i++) {
                        results[batch.calls().get(i)] = JsonbText.of(parts.get(i));
                    }
                    return;
                }
            } catch (RemoteCallException e) {
                for (int k : batch.calls()) {
                    failures[k] = e;
                }
                return;
            }
        }
        for (int k : batch.calls()) {
            try {
                results[k] = call(endpoint, calls.get(k));
            } catch (RemoteCallException e) {
                failures[k] = e;
            }
        }
    }

    /** azure_ml.max_batch_rows: how many MLflow data rows one request may carry (1 = no merging). */
    private int maxBatchRows(SessionContext session) {
        String v = settings.forCall(session, AzureMlBatches.MAX_ROWS_SETTING);
        try {
            return v == null || v.isBlank() ? 1 : Math.max(1, Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
            throw new PgException(PgError.error("22023", AzureMlBatches.MAX_ROWS_SETTING + " must be a whole number, got " + v,
                    "e.g. SELECT azure_ai.set_setting('" + AzureMlBatches.MAX_ROWS_SETTING + "', '32');"));
        }
    }

    private static CallOptions options(List<String> a) {
        return CallOptions.of(integer(a.get(1)), a.get(4) == null ? 1 : integer(a.get(4)), a.get(5) == null ? 1000 : integer(a.get(5)));
    }

    private String call(Endpoint endpoint, List<String> a) {
        JsonNode reply = remote.azureMl().invoke(endpoint, a.get(0), a.get(3), options(a));
        return JsonbText.of(reply);
    }

    private Endpoint endpoint(SessionContext session) {
        String url = settings.forCall(session, "azure_ml.scoring_endpoint");
        if (url == null || url.isBlank()) {
            throw new PgException(PgError.error("22023", "azure_ml.scoring_endpoint is not set",
                    "A member of azure_ai_settings_manager sets it: SELECT azure_ai.set_setting('azure_ml.scoring_endpoint', "
                            + "'https://<endpoint>.<region>.inference.ml.azure.com/score');"));
        }
        try {
            return Endpoint.builder(EndpointKind.AZURE_ML, url).key(settings.forCall(session, "azure_ml.endpoint_key")).build();
        } catch (IllegalArgumentException e) {
            throw new PgException(PgError.error("22023", "azure_ml.scoring_endpoint is not a usable URL: " + e.getMessage(),
                    "Set it to the endpoint's scoring URI, e.g. https://<endpoint>.<region>.inference.ml.azure.com/score."));
        }
    }

    private static void warn(SessionContext session, RemoteCallException e) {
        session.client().notice(new PgError("WARNING", "01000", e.getMessage() + "; returning NULL (throw_on_error => false)",
                RemoteFailures.detail(e), e.hint(), 0));
    }

    private static Integer integer(String s) {
        return s == null ? null : Integer.valueOf(s);
    }

    private static boolean isTrue(String b) {
        return "t".equals(b) || "true".equalsIgnoreCase(b);
    }
}
