package io.pgmlsidecar.planner.remote;

import io.pgmlsidecar.ml.remote.CallOptions;
import io.pgmlsidecar.ml.remote.Endpoint;
import io.pgmlsidecar.ml.remote.EndpointKind;
import io.pgmlsidecar.ml.remote.RemoteCallException;
import io.pgmlsidecar.ml.remote.RemoteModels;
import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Embedding models served by remote endpoints, usable by name in pgml.embed: a row of
 * {@code pgml.remote_models} (provider, URL, model or deployment, the setting holding its key,
 * batch and rate limits), or the shorthand {@code openai:<model>} (settings remote.openai.base_url,
 * default https://api.openai.com/v1, and remote.openai.api_key). Calls of all sessions go through
 * one scheduler per endpoint (batching, rate limits, shared 429 back-off).
 */
public final class RemoteEmbeddings {

    private static final String OPENAI_PREFIX = "openai:";

    private final AzureSettings settings;
    private final RemoteModels remote;

    public RemoteEmbeddings(AzureSettings settings, RemoteModels remote) {
        this.settings = settings;
        this.remote = remote;
    }

    /** {@code openai:<model>}: a remote model by its provider's name, without a registry row. */
    public static boolean isShorthand(String model) {
        return model.startsWith(OPENAI_PREFIX);
    }

    /** The endpoint serving {@code model}, or null when it is not a remote model. */
    public Endpoint endpoint(SessionContext session, String model) {
        if (isShorthand(model)) {
            String base = settings.forCall(session, "remote.openai.base_url");
            return Endpoint.builder(EndpointKind.OPENAI, (base == null ? "https://api.openai.com/v1" : base))
                    .model(model.substring(OPENAI_PREFIX.length())).key(settings.forCall(session, "remote.openai.api_key")).build();
        }
        List<String[]> rows = BackendSteps.query(session.backend(), "SELECT provider, url, model, deployment, api_version, key_setting, "
                + "max_batch_size, max_concurrency, requests_per_second FROM pgml.remote_models WHERE name = $1", model);
        if (rows.isEmpty()) {
            return null;
        }
        String[] r = rows.get(0);
        EndpointKind kind = switch (r[0]) {
            case "openai" -> EndpointKind.OPENAI;
            case "azure_openai" -> EndpointKind.AZURE_OPENAI;
            case "kserve" -> EndpointKind.KSERVE_V2;
            default -> throw new PgException(PgError.error("22023", "remote model \"" + model + "\" of provider " + r[0]
                    + " cannot embed", "Embeddings come from openai, azure_openai or kserve endpoints; azure_ml endpoints are called with azure_ml.invoke."));
        };
        try {
            return Endpoint.builder(kind, r[1]).name(model).model(r[2]).deployment(r[3]).apiVersion(r[4])
                    .key(r[5] == null ? null : settings.forCall(session, r[5]))
                    .maxBatchSize(Integer.parseInt(r[6])).maxConcurrency(Integer.parseInt(r[7]))
                    .requestsPerSecond(Double.parseDouble(r[8])).build();
        } catch (IllegalArgumentException e) {
            throw new PgException(PgError.error("22023", "remote model \"" + model + "\" is misconfigured: " + e.getMessage(),
                    "Check its row in pgml.remote_models."));
        }
    }

    /**
     * One vector per text. kwargs timeout_ms (default 60000), max_attempts (3) and retry_delay_ms
     * (1000) govern the calls; the other keys go to the provider (e.g. dimensions).
     */
    public float[][] embed(Endpoint endpoint, List<String> texts, Map<String, Object> kwargs) {
        Map<String, Object> options = new HashMap<>(kwargs);
        CallOptions call = CallOptions.of(number(options.remove("timeout_ms"), 60_000), number(options.remove("max_attempts"), 3),
                number(options.remove("retry_delay_ms"), 1000));
        try {
            return remote.embed(endpoint, texts, options, call);
        } catch (RemoteCallException e) {
            throw RemoteFailures.error(e);
        }
    }

    private static Integer number(Object value, int otherwise) {
        return value instanceof Number n ? n.intValue() : otherwise;
    }
}
