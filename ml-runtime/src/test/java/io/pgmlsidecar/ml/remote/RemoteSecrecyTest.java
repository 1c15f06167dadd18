package io.pgmlsidecar.ml.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgmlsidecar.ml.remote.StandIn.Reply;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The key never shows: not in toString, messages, hints, causes, nor metrics, even when a server echoes it. */
class RemoteSecrecyTest {
    static final String KEY = "sk-TOPSECRET-4b9d2e";

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final RemoteModels remote = new RemoteModels(meters, java.time.Duration.ofSeconds(10), EndpointAddressPolicy.allowing("127.0.0.1"));
    StandIn standIn;

    @AfterEach
    void stop() {
        remote.close();
        if (standIn != null) standIn.close();
    }

    static void assertNoKey(String text) {
        assertFalse(text.contains(KEY) || text.contains("TOPSECRET"), "the key leaked: " + text);
    }

    static RemoteCallException assertFailsWithoutKey(Executable call) {
        RemoteCallException e = assertThrows(RemoteCallException.class, call);
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace)); // messages of the whole cause chain
        assertNoKey(trace.toString());
        assertNoKey(e.toString());
        assertNoKey(e.hint());
        return e;
    }

    @Test
    void descriptionsHideTheKey() {
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_OPENAI, "https://res.openai.azure.com/?code=" + KEY)
                .key(KEY).deployment("d").build();
        assertNoKey(ep.toString());
        assertNoKey(ep.displayUrl());
        assertNoKey(String.valueOf(ep.key()));
        assertTrue(ep.toString().contains("key=****"), ep.toString());
        assertFailsWithoutKey(() -> Endpoint.builder(EndpointKind.OPENAI, "http://h/ bad url?key=" + KEY).build());
        assertFailsWithoutKey(() -> Endpoint.builder(EndpointKind.OPENAI, "ftp://h/?key=" + KEY).build());
    }

    @Test
    void failuresDoNotShowTheKeyEvenWhenTheServerEchoesIt() throws Exception {
        standIn = new StandIn(req -> {
            String echo = "{\"error\": \"bad key " + req.header("Authorization") + "\"}";
            return switch (req.path()) {
                case "/401" -> Reply.status(401, echo);
                case "/500" -> Reply.status(500, echo);
                case "/429" -> Reply.status(429, echo).header("Retry-After", "0");
                case "/html" -> Reply.json("<html>" + echo);
                case "/shape" -> Reply.json(echo);
                case "/slow" -> Reply.json("{}").after(Duration.ofSeconds(2));
                default -> Reply.status(404, echo);
            };
        });
        CallOptions twice = CallOptions.of(null, 2, 0);
        for (String path : List.of("/401", "/500", "/429", "/html", "/404")) {
            Endpoint ep = Endpoint.builder(EndpointKind.AZURE_ML, standIn.url(path) + "?secret=" + KEY).key(KEY).build();
            assertFailsWithoutKey(() -> remote.azureMl().invoke(ep, "{}", null, twice));
        }
        Endpoint shape = Endpoint.builder(EndpointKind.OPENAI, standIn.url("/shape")).key(KEY).build();
        assertFailsWithoutKey(() -> remote.openAi().embed(shape, List.of("a"), Map.of(), CallOptions.DEFAULTS));
        Endpoint slow = Endpoint.builder(EndpointKind.AZURE_ML, standIn.url("/slow")).key(KEY).build();
        assertFailsWithoutKey(() -> remote.azureMl().invoke(slow, "{}", null, CallOptions.of(100, 1, 0)));

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Endpoint refused = Endpoint.builder(EndpointKind.AZURE_ML, "http://127.0.0.1:" + closed + "/?k=" + KEY).key(KEY).build();
        assertFailsWithoutKey(() -> remote.azureMl().invoke(refused, "{}", null, twice));
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_ML, standIn.url("/")).key(KEY).build();
        RemoteCallException badHeader = assertFailsWithoutKey(
                () -> remote.azureMl().invoke(ep, "{}", "blue\r\nX: " + KEY, CallOptions.DEFAULTS));
        assertEquals(RemoteCallException.Kind.CONFIGURATION, badHeader.kind());

        for (Meter m : meters.getMeters()) {
            assertNoKey(m.getId().getName());
            for (Tag t : m.getId().getTags()) assertNoKey(t.getValue());
        }
        assertTrue(standIn.requests() > 0);
    }

    @Test
    void echoedKeyIsMaskedInTheQuote() throws Exception {
        standIn = new StandIn(req -> Reply.status(401, "invalid key: " + req.header("Authorization")));
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_ML, standIn.url("/")).key(KEY).build();
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> remote.azureMl().invoke(ep, "{}", null, CallOptions.DEFAULTS));
        assertEquals("remote endpoint '" + ep.name() + "' refused the credentials (HTTP 401): invalid key: Bearer ****",
                e.getMessage());
    }
}
