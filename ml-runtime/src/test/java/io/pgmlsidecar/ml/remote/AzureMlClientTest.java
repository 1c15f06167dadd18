package io.pgmlsidecar.ml.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgmlsidecar.ml.remote.RemoteCallException.Kind;
import io.pgmlsidecar.ml.remote.StandIn.Reply;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code azure_ml.invoke} against a local stand-in for an Azure ML online endpoint. */
class AzureMlClientTest {
    static final String KEY = "azml-key-5f1e8c";

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final RemoteModels remote = new RemoteModels(meters, java.time.Duration.ofSeconds(10), EndpointAddressPolicy.allowing("127.0.0.1"));
    StandIn standIn;

    @AfterEach
    void stop() {
        remote.close();
        if (standIn != null) standIn.close();
    }

    Endpoint endpoint(StandIn s) {
        return Endpoint.builder(EndpointKind.AZURE_ML, s.url("/score")).key(KEY).deployment("blue").build();
    }

    JsonNode invoke(Endpoint ep, String input, String deployment, CallOptions options) {
        return remote.azureMl().invoke(ep, input, deployment, options);
    }

    @Test
    void postsTheInputAsIsWithKeyAndDeployment() throws Exception {
        standIn = new StandIn(req -> Reply.json("[0.25, 0.75]"));
        String input = "{\"input_data\" : {\"columns\": [\"a\",\"b\"],   \"data\": [[1, 2.50]]}}";

        JsonNode out = invoke(endpoint(standIn), input, "green", CallOptions.DEFAULTS);

        assertEquals(0.75, out.get(1).asDouble());
        StandIn.Seen seen = standIn.seen.get(0);
        assertEquals("POST", seen.method());
        assertEquals("/score", seen.path());
        assertEquals(input, seen.body(), "the input goes out byte for byte");
        assertEquals("Bearer " + KEY, seen.header("Authorization"));
        assertEquals("application/json", seen.header("Content-Type"));
        assertEquals("green", seen.header("azureml-model-deployment"), "the call's deployment wins");

        invoke(endpoint(standIn), "{}", null, CallOptions.DEFAULTS);
        assertEquals("blue", standIn.seen.get(1).header("azureml-model-deployment"), "else the endpoint's");
        Endpoint noDeployment = Endpoint.builder(EndpointKind.AZURE_ML, standIn.url("/score")).key(KEY).build();
        invoke(noDeployment, "{}", null, CallOptions.DEFAULTS);
        assertNull(standIn.seen.get(2).header("azureml-model-deployment"), "else none: the endpoint's traffic rules");
    }

    @Test
    void attemptTimeout() throws Exception {
        standIn = new StandIn(req -> Reply.json("{}").after(Duration.ofSeconds(3)));
        long t0 = System.nanoTime();
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> invoke(endpoint(standIn), "{}", null, CallOptions.of(200, null, null)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Kind.TIMEOUT, e.kind());
        assertTrue(ms >= 190 && ms < 2000, ms + " ms");
        assertTrue(e.getMessage().contains("200 ms"), e.getMessage());
        assertTrue(e.httpStatus().isEmpty());
        assertEquals(1, e.attempts());
        assertEquals(1, standIn.requests());
    }

    @Test
    void serverErrorsAreRetriedUpToMaxAttempts() throws Exception {
        standIn = new StandIn(req -> req.n() <= 2 ? Reply.status(503, "busy") : Reply.json("{\"ok\": true}"));
        JsonNode out = invoke(endpoint(standIn), "{}", null, CallOptions.of(null, 3, 50));
        assertTrue(out.get("ok").asBoolean());
        assertEquals(3, standIn.requests());
        long gap = standIn.seen.get(1).atNanos() - standIn.seen.get(0).atNanos();
        assertTrue(gap >= 45_000_000, "retry_delay_ms between attempts: " + gap);
    }

    @Test
    void givesUpAfterMaxAttempts() throws Exception {
        standIn = new StandIn(req -> Reply.status(500, "{\"error\": \"model crashed\"}"));
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> invoke(endpoint(standIn), "{}", null, CallOptions.of(null, 2, 10)));
        assertEquals(Kind.SERVER_ERROR, e.kind());
        assertEquals(500, e.httpStatus().orElseThrow());
        assertEquals(2, e.attempts());
        assertTrue(e.getMessage().contains("model crashed") && e.getMessage().contains("after 2 attempts"), e.getMessage());
        assertEquals(2, standIn.requests());
    }

    @Test
    void retryAfterIsWaitedFor() throws Exception {
        standIn = new StandIn(req -> req.n() == 1 ? Reply.status(429, "slow down").header("Retry-After", "1") : Reply.json("1"));
        long t0 = System.nanoTime();
        invoke(endpoint(standIn), "{}", null, CallOptions.of(null, 2, 10));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long gapMs = (standIn.seen.get(1).atNanos() - standIn.seen.get(0).atNanos()) / 1_000_000;
        assertTrue(gapMs >= 950, "waited " + gapMs + " ms, not the 1 s asked for");
        assertTrue(ms < 3000, ms + " ms");
        assertEquals(2, standIn.requests());
    }

    @Test
    void clientErrorsAreNotRetried() throws Exception {
        standIn = new StandIn(req -> Reply.status(400, "{\"message\": \"column b missing\"}"));
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> invoke(endpoint(standIn), "{}", null, CallOptions.of(null, 5, 10)));
        assertEquals(Kind.CLIENT_ERROR, e.kind());
        assertEquals(400, e.httpStatus().orElseThrow());
        assertEquals(1, e.attempts());
        assertEquals(1, standIn.requests());
        assertTrue(e.getMessage().contains("column b missing"), e.getMessage());
        assertTrue(e.hint().contains("shape"), e.hint());
    }

    @Test
    void malformedReplyIsQuotedBriefly() throws Exception {
        String html = "<html><body>" + "gateway page ".repeat(400) + "</body></html>";
        standIn = new StandIn(req -> Reply.json(html));
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> invoke(endpoint(standIn), "{}", null, CallOptions.of(null, 3, 10)));
        assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("not valid JSON") && e.getMessage().contains("<html><body>gateway page"), e.getMessage());
        assertTrue(e.getMessage().length() < 400, e.getMessage().length() + " chars");
        assertEquals(1, standIn.requests(), "a malformed answer is not retried");
    }

    @Test
    void connectionRefusedIsRetried() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_ML, "http://127.0.0.1:" + port + "/score").key(KEY).build();
        RemoteCallException e = assertThrows(RemoteCallException.class, () -> invoke(ep, "{}", null, CallOptions.of(null, 3, 20)));
        assertEquals(Kind.CONNECT, e.kind());
        assertEquals(3, e.attempts());
        assertTrue(e.getMessage().contains("could not connect") && e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertEquals(3.0, meters.get(EndpointMetrics.ERRORS).tag("kind", "connect").counter().count());
    }

    @Test
    void wrongKindOrArgumentsAreConfigurationErrors() {
        Endpoint openAi = Endpoint.builder(EndpointKind.OPENAI, "http://127.0.0.1:9/v1").build();
        assertEquals(Kind.CONFIGURATION, assertThrows(RemoteCallException.class,
                () -> invoke(openAi, "{}", null, CallOptions.DEFAULTS)).kind());
        assertEquals(Kind.CONFIGURATION, assertThrows(RemoteCallException.class,
                () -> CallOptions.of(null, 0, null)).kind());
        assertEquals(Kind.CONFIGURATION, assertThrows(RemoteCallException.class,
                () -> CallOptions.of(-5, null, null)).kind());
    }
}
