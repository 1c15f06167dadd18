package io.pgmlsidecar.ml.remote;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A remote model endpoint: where it is, what it speaks, its key, and the limits that every session's
 * calls to it share (batch size, requests in flight, requests per second).
 *
 * @param name              names the endpoint in messages and metrics, and identifies it: calls under one name
 *                          share one scheduler (default: the URL's host[:port], then {@code /deployment} or
 *                          {@code /model} when set, so that two models behind one host stay apart)
 * @param url               the scoring URL (AZURE_ML), the API base (OPENAI: {@code http://host:8000/v1};
 *                          a URL without a path gets {@code /v1}), the resource URL (AZURE_OPENAI:
 *                          {@code https://res.openai.azure.com}) or the server URL (KSERVE_V2)
 * @param key               the secret, or null when the endpoint needs none
 * @param deployment        AZURE_ML: default {@code azureml-model-deployment} header; AZURE_OPENAI: the deployment
 * @param model             the provider's model name (OpenAI {@code model}, the KServe model in the path)
 * @param apiVersion        AZURE_OPENAI {@code api-version}
 * @param maxBatchSize      most inputs in one embeddings / infer request
 * @param maxConcurrency    most requests in flight at once
 * @param requestsPerSecond most requests started per second, evenly spaced; 0 for no limit
 * @param batchLinger       how long a lone input waits for others to share its request
 */
public record Endpoint(String name, EndpointKind kind, URI url, ApiKey key, String deployment, String model,
                       String apiVersion, int maxBatchSize, int maxConcurrency, double requestsPerSecond,
                       Duration batchLinger) {

    public static final String DEFAULT_AZURE_OPENAI_API_VERSION = "2024-10-21";

    /**
     * What a request asks of the endpoint; decides its path. FILES and FINE_TUNING_JOBS (OPENAI, AZURE_OPENAI)
     * are the fine-tuning API: {@code <base>/files}, {@code <base>/fine_tuning/jobs}; on Azure OpenAI they sit
     * under the resource ({@code /openai/files}), not under a deployment.
     */
    enum Operation { INVOKE, EMBEDDINGS, CHAT, INFER, FILES, FINE_TUNING_JOBS }

    public Endpoint {
        Objects.requireNonNull(kind, "kind");
        if (url == null || url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw RemoteCallException.configuration("remote endpoint URL must be an absolute http(s) URL, got '"
                    + (url == null ? null : displayUrl(url)) + "'", "e.g. https://my-endpoint.region.inference.ml.azure.com/score");
        }
        deployment = blankToNull(deployment);
        model = blankToNull(model);
        if (name == null || name.isBlank()) name = defaultName(url, deployment != null ? deployment : model);
        apiVersion = blankToNull(apiVersion);
        if (kind == EndpointKind.AZURE_OPENAI && apiVersion == null) apiVersion = DEFAULT_AZURE_OPENAI_API_VERSION;
        if (maxBatchSize < 1) throw invalid("max batch size", maxBatchSize);
        if (maxConcurrency < 1) throw invalid("concurrency limit", maxConcurrency);
        if (requestsPerSecond < 0 || Double.isNaN(requestsPerSecond)) throw invalid("requests per second", requestsPerSecond);
        if (batchLinger == null || batchLinger.isNegative()) batchLinger = Duration.ZERO;
    }

    private static String defaultName(URI url, String modelOrDeployment) {
        String host = url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort();
        return modelOrDeployment == null ? host : host + "/" + modelOrDeployment;
    }

    public static Builder builder(EndpointKind kind, String url) {
        return new Builder(kind, url);
    }

    /** The URL without user info, query or fragment (which may carry secrets): safe to show. */
    public String displayUrl() {
        return displayUrl(url);
    }

    private static String displayUrl(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    /** Where a request for {@code op} goes; a query in the configured URL is kept. */
    URI uri(Operation op) {
        return uri(op, "", null);
    }

    /**
     * Where a request for {@code op} goes, {@code subPath} (already encoded, e.g. {@code "/ftjob-1/events"})
     * appended to the operation's path (FILES, FINE_TUNING_JOBS only) and {@code extraQuery} (already encoded,
     * null for none) added to the query.
     */
    URI uri(Operation op, String subPath, String extraQuery) {
        boolean fineTuning = op == Operation.FILES || op == Operation.FINE_TUNING_JOBS;
        if (subPath == null) subPath = "";
        if (!subPath.isEmpty() && !fineTuning) throw new IllegalArgumentException("no sub-path for " + op);
        String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
        String base = url.getScheme() + "://" + url.getRawAuthority() + path;
        String query = url.getRawQuery();
        if (extraQuery != null && !extraQuery.isEmpty()) query = query == null ? extraQuery : query + "&" + extraQuery;
        return switch (kind) {
            case AZURE_ML -> {
                require(op == Operation.INVOKE, op);
                yield url;
            }
            case OPENAI -> {
                require(op == Operation.EMBEDDINGS || op == Operation.CHAT || fineTuning, op);
                yield withQuery((path.isEmpty() ? base + "/v1" : base) + openAiPath(op) + subPath, query);
            }
            case AZURE_OPENAI -> {
                require(op == Operation.EMBEDDINGS || op == Operation.CHAT || fineTuning, op);
                String version = "api-version=" + encode(apiVersion);
                String withVersion = query == null ? version : query + "&" + version;
                if (fineTuning) {
                    // files and fine-tuning jobs belong to the resource: https://res.openai.azure.com/openai/files
                    String resource = base;
                    int at = resource.indexOf("/openai/deployments/");
                    if (at >= 0) resource = resource.substring(0, at);
                    else if (resource.endsWith("/openai")) resource = resource.substring(0, resource.length() - "/openai".length());
                    yield withQuery(resource + "/openai" + openAiPath(op) + subPath, withVersion);
                }
                String root = base;
                if (!path.contains("/openai/deployments/")) {
                    if (deployment == null) {
                        throw RemoteCallException.configuration("Azure OpenAI endpoint '" + name + "' has no deployment name",
                                "set the endpoint's deployment (the name given to the model deployment in Azure)");
                    }
                    root = base + "/openai/deployments/" + encode(deployment);
                }
                yield withQuery(root + openAiPath(op), withVersion);
            }
            case KSERVE_V2 -> {
                require(op == Operation.INFER || op == Operation.EMBEDDINGS, op);
                if (path.endsWith("/infer")) yield withQuery(base, query);
                if (model == null) {
                    throw RemoteCallException.configuration("KServe endpoint '" + name + "' has no model name",
                            "set the endpoint's model (the name in /v2/models/{model}/infer)");
                }
                yield withQuery(base + "/v2/models/" + encode(model) + "/infer", query);
            }
        };
    }

    private static URI withQuery(String withoutQuery, String query) {
        return URI.create(query == null ? withoutQuery : withoutQuery + "?" + query);
    }

    /** The authentication headers (they carry the key: never log them). */
    Map<String, String> authHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        if (key != null) {
            if (kind == EndpointKind.AZURE_OPENAI) h.put("api-key", key.reveal());
            else h.put("Authorization", "Bearer " + key.reveal());
        }
        return h;
    }

    /** The reply text with the key masked, cut to about {@code max} characters, for error messages. */
    String quote(String text, int max) {
        String safe = key == null ? text : key.redact(text);
        String oneLine = safe.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "…";
    }

    private static String openAiPath(Operation op) {
        return switch (op) {
            case CHAT -> "/chat/completions";
            case FILES -> "/files";
            case FINE_TUNING_JOBS -> "/fine_tuning/jobs";
            default -> "/embeddings";
        };
    }

    private void require(boolean supported, Operation op) {
        if (!supported) {
            throw RemoteCallException.configuration("remote endpoint '" + name + "' is a " + kind
                    + " endpoint, which does not serve " + op.name().toLowerCase() + " requests",
                    "use an endpoint of a kind that serves them (AZURE_ML: invoke; OPENAI, AZURE_OPENAI: embeddings, chat, files, fine-tuning jobs; KSERVE_V2: infer, embeddings)");
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static RemoteCallException invalid(String what, Number value) {
        return RemoteCallException.configuration("remote endpoint " + what + " must be positive, got " + value,
                "fix the endpoint's configuration");
    }

    @Override
    public String toString() {
        return "Endpoint[name=" + name + ", kind=" + kind + ", url=" + displayUrl()
                + (deployment == null ? "" : ", deployment=" + deployment)
                + (model == null ? "" : ", model=" + model)
                + ", key=" + (key == null ? "none" : key)
                + ", maxBatchSize=" + maxBatchSize + ", maxConcurrency=" + maxConcurrency
                + ", requestsPerSecond=" + (requestsPerSecond == 0 ? "unlimited" : requestsPerSecond) + "]";
    }

    /** Builds an {@link Endpoint} with defaults: batches of 100, 16 requests in flight, no rate limit, 3 ms linger. */
    public static final class Builder {
        private final EndpointKind kind;
        private final String url;
        private String name;
        private ApiKey key;
        private String deployment;
        private String model;
        private String apiVersion;
        private int maxBatchSize = 100;
        private int maxConcurrency = 16;
        private double requestsPerSecond;
        private Duration batchLinger = Duration.ofMillis(3);

        private Builder(EndpointKind kind, String url) {
            this.kind = kind;
            this.url = url;
        }

        public Builder name(String name) { this.name = name; return this; }
        public Builder key(String key) { this.key = ApiKey.ofNullable(key); return this; }
        public Builder deployment(String deployment) { this.deployment = deployment; return this; }
        public Builder model(String model) { this.model = model; return this; }
        public Builder apiVersion(String apiVersion) { this.apiVersion = apiVersion; return this; }
        public Builder maxBatchSize(int n) { this.maxBatchSize = n; return this; }
        public Builder maxConcurrency(int n) { this.maxConcurrency = n; return this; }
        public Builder requestsPerSecond(double n) { this.requestsPerSecond = n; return this; }
        public Builder batchLinger(Duration d) { this.batchLinger = d; return this; }

        public Endpoint build() {
            URI u;
            try {
                u = url == null ? null : URI.create(url.strip());
            } catch (IllegalArgumentException e) {
                // the text may hold a key in its query: do not quote it
                throw RemoteCallException.configuration("remote endpoint URL is not a valid URL",
                        "e.g. https://my-endpoint.region.inference.ml.azure.com/score");
            }
            return new Endpoint(name, kind, u, key, deployment, model, apiVersion, maxBatchSize, maxConcurrency,
                    requestsPerSecond, batchLinger);
        }
    }
}
