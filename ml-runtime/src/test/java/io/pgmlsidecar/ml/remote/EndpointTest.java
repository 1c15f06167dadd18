package io.pgmlsidecar.ml.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pgmlsidecar.ml.remote.Endpoint.Operation;
import io.pgmlsidecar.ml.remote.RemoteCallException.Kind;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Endpoint descriptions: request URLs and headers per kind, validation, and Retry-After parsing. */
class EndpointTest {

    static String uri(EndpointKind kind, String url, Operation op, String deployment, String model) {
        return Endpoint.builder(kind, url).deployment(deployment).model(model).build().uri(op).toString();
    }

    @Test
    void requestUrlsPerKind() {
        assertEquals("https://e.inference.ml.azure.com/score",
                uri(EndpointKind.AZURE_ML, "https://e.inference.ml.azure.com/score", Operation.INVOKE, null, null));
        assertEquals("http://vllm:8000/v1/embeddings", uri(EndpointKind.OPENAI, "http://vllm:8000", Operation.EMBEDDINGS, null, null));
        assertEquals("http://ollama:11434/v1/chat/completions",
                uri(EndpointKind.OPENAI, "http://ollama:11434/v1/", Operation.CHAT, null, null));
        assertEquals("https://r.openai.azure.com/openai/deployments/my%20emb/embeddings?api-version=2024-10-21",
                uri(EndpointKind.AZURE_OPENAI, "https://r.openai.azure.com", Operation.EMBEDDINGS, "my emb", null));
        assertEquals("https://r.openai.azure.com/openai/deployments/gpt/chat/completions?api-version=2025-01-01",
                Endpoint.builder(EndpointKind.AZURE_OPENAI, "https://r.openai.azure.com/openai/deployments/gpt")
                        .apiVersion("2025-01-01").build().uri(Operation.CHAT).toString());
        assertEquals("http://kserve/v2/models/bge/infer", uri(EndpointKind.KSERVE_V2, "http://kserve/", Operation.INFER, null, "bge"));
        assertEquals("https://gw.example/team/v1/embeddings?tenant=a",
                uri(EndpointKind.OPENAI, "https://gw.example/team/v1/?tenant=a", Operation.EMBEDDINGS, null, null));
        assertEquals("https://r.openai.azure.com/openai/deployments/d/embeddings?x=1&api-version=2024-10-21",
                uri(EndpointKind.AZURE_OPENAI, "https://r.openai.azure.com?x=1", Operation.EMBEDDINGS, "d", null));
    }

    @Test
    void defaultNameIsTheHostAndTheDeploymentOrModel() {
        assertEquals("api.openai.com/text-embedding-3-small", Endpoint.builder(EndpointKind.OPENAI, "https://api.openai.com/v1")
                .model("text-embedding-3-small").build().name());
        assertEquals("e.inference.ml.azure.com/blue", Endpoint.builder(EndpointKind.AZURE_ML,
                "https://e.inference.ml.azure.com/score").deployment("blue").build().name());
        assertEquals("vllm:8000", Endpoint.builder(EndpointKind.OPENAI, "http://vllm:8000").build().name());
        assertEquals("mine", Endpoint.builder(EndpointKind.OPENAI, "http://vllm:8000").model("m").name("mine").build().name());
    }

    @Test
    void authenticationHeaderPerKind() {
        assertEquals(Map.of("Authorization", "Bearer k"), Endpoint.builder(EndpointKind.OPENAI, "http://h").key("k").build().authHeaders());
        assertEquals(Map.of("api-key", "k"),
                Endpoint.builder(EndpointKind.AZURE_OPENAI, "http://h").key(" k ").deployment("d").build().authHeaders());
        assertEquals(Map.of(), Endpoint.builder(EndpointKind.OPENAI, "http://h").key("  ").build().authHeaders());
        assertNull(Endpoint.builder(EndpointKind.OPENAI, "http://h").build().key());
    }

    @Test
    void invalidDescriptionsAreConfigurationErrors() {
        for (Runnable bad : List.<Runnable>of(
                () -> Endpoint.builder(EndpointKind.OPENAI, "not a url").build(),
                () -> Endpoint.builder(EndpointKind.OPENAI, "/relative").build(),
                () -> Endpoint.builder(EndpointKind.OPENAI, "http://h").maxBatchSize(0).build(),
                () -> Endpoint.builder(EndpointKind.OPENAI, "http://h").maxConcurrency(0).build(),
                () -> Endpoint.builder(EndpointKind.OPENAI, "http://h").requestsPerSecond(-1).build(),
                () -> Endpoint.builder(EndpointKind.AZURE_OPENAI, "http://h").build().uri(Operation.EMBEDDINGS),
                () -> Endpoint.builder(EndpointKind.OPENAI, "http://h").build().uri(Operation.INVOKE))) {
            assertEquals(Kind.CONFIGURATION, assertThrows(RemoteCallException.class, bad::run).kind());
        }
    }

    @Test
    void retryAfterInSecondsDatesAndMilliseconds() {
        Clock clock = Clock.fixed(Instant.parse("2025-03-01T10:00:00Z"), ZoneOffset.UTC);
        assertEquals(Duration.ofSeconds(7), RetryAfter.parse("7", clock));
        assertEquals(Duration.ofSeconds(30), RetryAfter.parse("Sat, 01 Mar 2025 10:00:30 GMT", clock));
        assertEquals(Duration.ZERO, RetryAfter.parse("Sat, 01 Mar 2025 09:00:00 GMT", clock));
        assertNull(RetryAfter.parse("soon", clock));
        assertNull(RetryAfter.parse("-3", clock));
        HttpHeaders both = HttpHeaders.of(Map.of("Retry-After", List.of("2"), "retry-after-ms", List.of("250")), (a, b) -> true);
        assertEquals(Duration.ofMillis(250), RetryAfter.from(both, clock), "the finer header wins");
        assertNull(RetryAfter.from(HttpHeaders.of(Map.of(), (a, b) -> true), clock));
    }
}
