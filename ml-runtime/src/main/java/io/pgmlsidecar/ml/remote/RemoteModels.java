package io.pgmlsidecar.ml.remote;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The remote model runtime: one per sidecar, shared by every session's threads. It holds one scheduler
 * per endpoint name (the limits, batching and 429 pauses of that endpoint apply across all sessions),
 * one HTTP client, and the clients of each protocol.
 */
public final class RemoteModels implements AutoCloseable {
    private final MeterRegistry registry;
    private final HttpClient httpClient;
    private final ScheduledExecutorService retryTimer;
    private final Map<String, EndpointScheduler> schedulers = new ConcurrentHashMap<>();
    private final AzureMlClient azureMl;
    private final OpenAiClient openAi;
    private final KServeClient kserve;
    private final OpenAiFineTuning fineTuning;
    private volatile boolean closed;

    /** Meters go to Micrometer's global registry (where the server adds its Prometheus registry). */
    public RemoteModels() {
        this(Metrics.globalRegistry);
    }

    public RemoteModels(MeterRegistry registry) {
        this(registry, Duration.ofSeconds(10));
    }

    /** Meters to the global registry; requests only where {@code addresses} allows. */
    public RemoteModels(EndpointAddressPolicy addresses) {
        this(Metrics.globalRegistry, Duration.ofSeconds(10), addresses);
    }

    /** Public addresses only (see {@link EndpointAddressPolicy}). */
    public RemoteModels(MeterRegistry registry, Duration connectTimeout) {
        this(registry, connectTimeout, EndpointAddressPolicy.publicOnly());
    }

    /**
     * @param connectTimeout bound on opening a connection, even for calls without a timeout
     * @param addresses      where requests may go (the operator's {@code --remote-allow})
     */
    public RemoteModels(MeterRegistry registry, Duration connectTimeout, EndpointAddressPolicy addresses) {
        this.registry = registry;
        // redirects are not followed: a POST redirected elsewhere would carry the key to another place
        this.httpClient = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.retryTimer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("pgml-remote-retry").factory());
        JsonHttp http = new JsonHttp(httpClient, Clock.systemUTC(), addresses);
        this.azureMl = new AzureMlClient(this::scheduler, http);
        this.openAi = new OpenAiClient(this::scheduler, http);
        this.kserve = new KServeClient(this::scheduler, http);
        this.fineTuning = new OpenAiFineTuning(this::scheduler, http);
    }

    /** {@code azure_ml.invoke}. */
    public AzureMlClient azureMl() {
        return azureMl;
    }

    /** OpenAI-compatible embeddings and chat completions. */
    public OpenAiClient openAi() {
        return openAi;
    }

    /** The OpenAI fine-tuning API (OPENAI, AZURE_OPENAI endpoints): upload, jobs, events, cancel. */
    public OpenAiFineTuning fineTuning() {
        return fineTuning;
    }

    /** KServe v2 inference. */
    public KServeClient kserve() {
        return kserve;
    }

    /** Embeddings from any endpoint that serves them (OPENAI, AZURE_OPENAI: embeddings; KSERVE_V2: infer). */
    public float[][] embed(Endpoint endpoint, List<String> texts, Map<String, ?> options, CallOptions call) {
        return endpoint.kind() == EndpointKind.KSERVE_V2
                ? kserve.infer(endpoint, texts, options, call)
                : openAi.embed(endpoint, texts, options, call);
    }

    /** The endpoint's scheduler; a changed description under a known name (new key, new limits) updates it. */
    EndpointScheduler scheduler(Endpoint endpoint) {
        if (closed) throw RemoteErrors.cancelled(endpoint);
        EndpointScheduler s = schedulers.computeIfAbsent(endpoint.name(),
                name -> new EndpointScheduler(endpoint, new EndpointMetrics(registry, name), retryTimer));
        if (!s.endpoint().equals(endpoint)) s.update(endpoint);
        return s;
    }

    /** Fails the calls still waiting and releases the threads and connections. */
    @Override
    public void close() {
        closed = true;
        schedulers.values().forEach(EndpointScheduler::close);
        schedulers.clear();
        retryTimer.shutdownNow();
        httpClient.shutdownNow(); // close() would wait for requests without a timeout
    }
}
