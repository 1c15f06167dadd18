package io.pgmlsidecar.ml.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgmlsidecar.ml.remote.RemoteCallException.Kind;
import io.pgmlsidecar.ml.remote.StandIn.Reply;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared per-endpoint scheduler: rate and concurrency limits, 429 pauses, deadlines, isolation of endpoints. */
class EndpointSchedulerTest {
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final RemoteModels remote = new RemoteModels(meters, java.time.Duration.ofSeconds(10), EndpointAddressPolicy.allowing("127.0.0.1"));
    final List<StandIn> standIns = new ArrayList<>();

    @AfterEach
    void stop() {
        remote.close();
        standIns.forEach(StandIn::close);
    }

    StandIn standIn(StandIn.Script script) throws Exception {
        StandIn s = new StandIn(script);
        standIns.add(s);
        return s;
    }

    /** A provider that allows {@code perSecond} requests in any one-second window and answers 429 beyond. */
    static StandIn.Script rateLimitedProvider(int perSecond, AtomicInteger refused) {
        ArrayDeque<Long> window = new ArrayDeque<>();
        return req -> {
            synchronized (window) {
                while (!window.isEmpty() && req.atNanos() - window.peekFirst() > 1_000_000_000L) window.pollFirst();
                if (window.size() >= perSecond) {
                    refused.incrementAndGet();
                    return Reply.status(429, "{\"error\": {\"message\": \"Rate limit reached\"}}").header("Retry-After", "1");
                }
                window.addLast(req.atNanos());
            }
            return FakeModels.openAiEmbeddings(req);
        };
    }

    /** {@code callers} virtual threads embedding one text each; returns the failures. */
    List<Throwable> embedConcurrently(Endpoint ep, int callers, CallOptions options) throws Exception {
        List<Throwable> failures = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                List<String> one = List.of("text of caller " + i);
                results.add(threads.submit(() -> remote.openAi().embed(ep, one, null, options)));
            }
            for (int i = 0; i < callers; i++) {
                try {
                    OpenAiClientTest.assertVectors(List.of("text of caller " + i), results.get(i).get());
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
        }
        return failures;
    }

    @Test
    void rateLimitKeepsManyCallersUnderTheProvidersLimit() throws Exception {
        AtomicInteger refused = new AtomicInteger();
        StandIn provider = standIn(rateLimitedProvider(20, refused));
        Endpoint.Builder ep = Endpoint.builder(EndpointKind.OPENAI, provider.url("/v1")).maxBatchSize(2).maxConcurrency(8);

        // control: without a limit this load exceeds the provider's 20 requests per second
        List<Throwable> unlimited = embedConcurrently(ep.name("unlimited").build(), 50, CallOptions.DEFAULTS);
        assertTrue(refused.get() > 0 && !unlimited.isEmpty(), "the control run should have been refused");
        Thread.sleep(1100); // let the provider's window empty

        refused.set(0);
        int before = provider.requests();
        long t0 = System.nanoTime();
        List<Throwable> limited = embedConcurrently(ep.name("limited").requestsPerSecond(16).build(), 50, CallOptions.DEFAULTS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(List.of(), limited, "no caller may fail");
        assertEquals(0, refused.get(), "no 429 with the limit configured");
        int requests = provider.requests() - before;
        assertTrue(requests >= 25 && ms >= (requests - 1) * 1000L / 16 - 50, requests + " requests in " + ms + " ms");
    }

    @Test
    void a429PausesEveryCallerOfTheEndpoint() throws Exception {
        StandIn provider = standIn(req -> req.n() == 1
                ? Reply.status(429, "").header("Retry-After", "1")
                : FakeModels.openAiEmbeddings(req));
        // one request at a time and one text per request: without the pause, the other callers' requests
        // would follow the 429 at once
        Endpoint ep = Endpoint.builder(EndpointKind.OPENAI, provider.url("/v1")).maxBatchSize(1).maxConcurrency(1).build();

        List<Throwable> failures = embedConcurrently(ep, 5, CallOptions.of(null, 3, 10));

        assertEquals(List.of(), failures);
        assertEquals(6, provider.requests(), "the refused request once more, and the five others");
        long refusedAt = provider.seen.get(0).atNanos();
        for (StandIn.Seen s : provider.seen.subList(1, 6)) {
            long after = (s.atNanos() - refusedAt) / 1_000_000;
            assertTrue(after >= 950, "request " + s.n() + " went " + after + " ms after the 429");
        }
        assertEquals(1.0, meters.get(EndpointMetrics.PAUSES).counter().count());
    }

    @Test
    void a429WithoutRetryAfterBacksOffExponentially() throws Exception {
        StandIn provider = standIn(req -> req.n() <= 2 ? Reply.status(429, "") : Reply.json("{}"));
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_ML, provider.url("/score")).build();
        remote.azureMl().invoke(ep, "{}", null, CallOptions.of(null, 3, 100));
        List<StandIn.Seen> seen = provider.seen;
        long first = (seen.get(1).atNanos() - seen.get(0).atNanos()) / 1_000_000;
        long second = (seen.get(2).atNanos() - seen.get(1).atNanos()) / 1_000_000;
        assertTrue(first >= 95 && second >= 195, "waits " + first + " and " + second + " ms");

        assertEquals(Duration.ofMillis(100), RateLimitPause.backoff(Duration.ZERO, 1));
        assertEquals(Duration.ofMillis(800), RateLimitPause.backoff(Duration.ofMillis(200), 3));
        assertEquals(Duration.ofSeconds(60), RateLimitPause.backoff(Duration.ofSeconds(1), 30));
    }

    @Test
    void concurrencyLimitHolds() throws Exception {
        StandIn provider = standIn(req -> Reply.json("{}").after(Duration.ofMillis(80)));
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_ML, provider.url("/score")).maxConcurrency(2).build();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) calls.add(threads.submit(() -> remote.azureMl().invoke(ep, "{}", null, CallOptions.DEFAULTS)));
            for (Future<?> f : calls) f.get();
        }
        assertEquals(8, provider.requests());
        assertEquals(2, provider.mostConcurrent());
    }

    @Test
    void aSlowEndpointDoesNotDelayAnother() throws Exception {
        StandIn slow = standIn(req -> Reply.json("{}").after(Duration.ofSeconds(2)));
        StandIn fast = standIn(req -> Reply.json("{\"fast\": true}"));
        Endpoint slowEp = Endpoint.builder(EndpointKind.AZURE_ML, slow.url("/score")).maxConcurrency(1).build();
        Endpoint fastEp = Endpoint.builder(EndpointKind.AZURE_ML, fast.url("/score")).maxConcurrency(1).build();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 3; i++) threads.submit(() -> remote.azureMl().invoke(slowEp, "{}", null, CallOptions.DEFAULTS));
            while (slow.requests() == 0) Thread.sleep(5);
            long t0 = System.nanoTime();
            for (int i = 0; i < 3; i++) remote.azureMl().invoke(fastEp, "{}", null, CallOptions.DEFAULTS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 1000, "3 calls to the fast endpoint took " + ms + " ms");
            remote.close(); // fails the slow calls still waiting, so the executor can close
        }
    }

    @Test
    void deadlineBoundsQueueingAndPauses() throws Exception {
        StandIn provider = standIn(req -> Reply.status(429, "").header("Retry-After", "5"));
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_ML, provider.url("/score")).build();
        long t0 = System.nanoTime();
        RemoteCallException refused = assertThrows(RemoteCallException.class,
                () -> remote.azureMl().invoke(ep, "{}", null, CallOptions.of(null, 3, 10).withDeadline(Duration.ofSeconds(2))));
        assertEquals(Kind.RATE_LIMITED, refused.kind(), "a 5 s wait does not fit a 2 s deadline: fail now");
        assertEquals(Duration.ofSeconds(5), refused.retryAfter().orElseThrow());

        RemoteCallException late = assertThrows(RemoteCallException.class,
                () -> remote.azureMl().invoke(ep, "{}", null, CallOptions.DEFAULTS.withDeadline(Duration.ofMillis(300))));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Kind.TIMEOUT, late.kind(), "waited out its deadline in the paused queue");
        assertTrue(ms < 1500, ms + " ms");
        assertEquals(1, provider.requests());
    }

    @Test
    void closingFailsWaitingCalls() throws Exception {
        StandIn provider = standIn(req -> Reply.status(429, "").header("Retry-After", "30"));
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_ML, provider.url("/score")).build();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> waiting = threads.submit(() -> remote.azureMl().invoke(ep, "{}", null, CallOptions.of(null, 5, 10)));
            while (provider.requests() == 0) Thread.sleep(5);
            Thread.sleep(50);
            remote.close();
            ExecutionException e = assertThrows(ExecutionException.class, waiting::get);
            assertEquals(Kind.CANCELLED, ((RemoteCallException) e.getCause()).kind());
        }
        assertEquals(Kind.CANCELLED, assertThrows(RemoteCallException.class,
                () -> remote.azureMl().invoke(ep, "{}", null, CallOptions.DEFAULTS)).kind());
    }
}
