package io.pgmlsidecar.ml.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgmlsidecar.ml.remote.RemoteCallException.Kind;
import io.pgmlsidecar.ml.remote.StandIn.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OpenAI-compatible embeddings and chat against a local stand-in. */
class OpenAiClientTest {
    static final String KEY = "sk-openai-77a1";

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final RemoteModels remote = new RemoteModels(meters, java.time.Duration.ofSeconds(10), EndpointAddressPolicy.allowing("127.0.0.1"));
    StandIn standIn;

    @AfterEach
    void stop() {
        remote.close();
        if (standIn != null) standIn.close();
    }

    Endpoint.Builder openAi(String path) {
        return Endpoint.builder(EndpointKind.OPENAI, standIn.url(path)).key(KEY).model("text-embedding-3-small");
    }

    static void assertVectors(List<String> texts, float[][] vectors) {
        assertEquals(texts.size(), vectors.length);
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) assertNull(vectors[i]);
            else assertArrayEquals(FakeModels.vector(texts.get(i)), vectors[i], "vector of " + texts.get(i));
        }
    }

    @Test
    void embeddingsRequestShape() throws Exception {
        standIn = new StandIn(FakeModels::openAiEmbeddings);
        List<String> texts = List.of("hello", "world!");
        float[][] v = remote.openAi().embed(openAi("").build(), texts, Map.of("dimensions", 2), CallOptions.DEFAULTS);
        assertVectors(texts, v);
        StandIn.Seen seen = standIn.seen.get(0);
        assertEquals("/v1/embeddings", seen.path(), "a URL without a path gets /v1");
        assertEquals("Bearer " + KEY, seen.header("Authorization"));
        JsonNode body = FakeModels.body(seen);
        assertEquals("text-embedding-3-small", body.get("model").asText());
        assertEquals(2, body.get("dimensions").asInt());
        assertEquals("[\"hello\",\"world!\"]", body.get("input").toString());
    }

    @Test
    void splitIntoBatchesOfTheMaxSizeAndReassembledInOrder() throws Exception {
        standIn = new StandIn(FakeModels::openAiEmbeddings);
        List<String> texts = IntStream.range(0, 10).mapToObj(i -> "t" + "x".repeat(i)).toList();
        float[][] v = remote.openAi().embed(openAi("/v1").maxBatchSize(3).build(), texts, Map.of(), CallOptions.DEFAULTS);
        assertVectors(texts, v);
        List<Integer> sizes = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (StandIn.Seen s : standIn.seen) {
            List<String> in = FakeModels.inputs(s);
            sizes.add(in.size());
            sent.addAll(in);
        }
        assertEquals(List.of(1, 3, 3, 3), sizes.stream().sorted().toList());
        assertEquals(texts, sent.stream().sorted((a, b) -> a.length() - b.length()).toList(), "each text sent once");
        assertEquals(4.0, meters.get(EndpointMetrics.BATCH_SIZE).summary().count());
        assertEquals(10.0, meters.get(EndpointMetrics.BATCH_SIZE).summary().totalAmount());
    }

    @Test
    void identicalInputsAreSentOnce() throws Exception {
        standIn = new StandIn(FakeModels::openAiEmbeddings);
        List<String> texts = Arrays.asList("a", "bb", "a", null, "ccc", "bb", "a");
        float[][] v = remote.openAi().embed(openAi("/v1").build(), texts, null, CallOptions.DEFAULTS);
        assertVectors(texts, v);
        assertEquals(1, standIn.requests());
        assertEquals(List.of("a", "bb", "ccc"), FakeModels.inputs(standIn.seen.get(0)));
        assertEquals(3.0, meters.get(EndpointMetrics.DEDUPLICATED).counter().count());
    }

    @Test
    void emptyAndAllNullInputsSendNothing() throws Exception {
        standIn = new StandIn(FakeModels::openAiEmbeddings);
        assertEquals(0, remote.openAi().embed(openAi("/v1").build(), List.of(), null, CallOptions.DEFAULTS).length);
        float[][] v = remote.openAi().embed(openAi("/v1").build(), Arrays.asList(null, null), null, CallOptions.DEFAULTS);
        assertEquals(2, v.length);
        assertNull(v[0]);
        assertEquals(0, standIn.requests());
    }

    @Test
    void concurrentCallersShareRequests() throws Exception {
        // one request at a time, each slow: callers that arrive meanwhile go together in the next one
        standIn = new StandIn(req -> FakeModels.openAiEmbeddings(req).after(Duration.ofMillis(100)));
        Endpoint ep = openAi("/v1").maxConcurrency(1).maxBatchSize(50).build();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                List<String> one = List.of("caller " + i);
                results.add(threads.submit(() -> remote.openAi().embed(ep, one, null, CallOptions.DEFAULTS)));
            }
            for (int i = 0; i < 20; i++) assertVectors(List.of("caller " + i), results.get(i).get());
        }
        int inputs = 0;
        for (StandIn.Seen s : standIn.seen) inputs += FakeModels.inputs(s).size();
        assertEquals(20, inputs);
        assertTrue(standIn.requests() <= 5, standIn.requests() + " requests for 20 callers");
    }

    @Test
    void differentOptionsAreNotMerged() throws Exception {
        standIn = new StandIn(req -> FakeModels.openAiEmbeddings(req).after(Duration.ofMillis(100)));
        Endpoint ep = openAi("/v1").maxConcurrency(1).build();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<float[][]>> results = new ArrayList<>();
            results.add(threads.submit(() -> remote.openAi().embed(ep, List.of("first"), null, CallOptions.DEFAULTS)));
            Thread.sleep(30);
            for (int i = 0; i < 4; i++) {
                Map<String, Object> opts = Map.of("dimensions", i % 2 == 0 ? 256 : 512);
                results.add(threads.submit(() -> remote.openAi().embed(ep, List.of("x"), opts, CallOptions.DEFAULTS)));
            }
            for (Future<float[][]> f : results) f.get();
        }
        assertEquals(3, standIn.requests(), "one per set of options, identical texts merged");
        List<Integer> dims = new ArrayList<>();
        for (StandIn.Seen s : standIn.seen.subList(1, 3)) {
            assertEquals(List.of("x"), FakeModels.inputs(s));
            dims.add(FakeModels.body(s).get("dimensions").asInt());
        }
        assertEquals(List.of(256, 512), dims.stream().sorted().toList());
        assertEquals(2.0, meters.get(EndpointMetrics.DEDUPLICATED).counter().count());
    }

    @Test
    void azureOpenAiUsesDeploymentPathApiVersionAndApiKeyHeader() throws Exception {
        standIn = new StandIn(FakeModels::openAiEmbeddings);
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_OPENAI, standIn.url("/")).key(KEY).deployment("emb-large").build();
        assertVectors(List.of("q"), remote.openAi().embed(ep, List.of("q"), null, CallOptions.DEFAULTS));
        StandIn.Seen seen = standIn.seen.get(0);
        assertEquals("/openai/deployments/emb-large/embeddings", seen.path());
        assertEquals("api-version=" + Endpoint.DEFAULT_AZURE_OPENAI_API_VERSION, seen.query());
        assertEquals(KEY, seen.header("api-key"));
        assertNull(seen.header("Authorization"));
        assertTrue(FakeModels.body(seen).get("model") == null, "the deployment names the model");
    }

    @Test
    void chatCompletionsReturnTheAssistantTextsInOrder() throws Exception {
        standIn = new StandIn(req -> Reply.json("""
                {"id": "c1", "object": "chat.completion", "choices": [
                  {"index": 1, "message": {"role": "assistant", "content": "second"}, "finish_reason": "stop"},
                  {"index": 0, "message": {"role": "assistant", "content": "first"}, "finish_reason": "stop"}]}"""));
        Endpoint ep = Endpoint.builder(EndpointKind.OPENAI, standIn.url("/v1")).model("llama-3").build();
        JsonNode messages = FakeModels.JSON.readTree("[{\"role\": \"user\", \"content\": \"Hi\"}]");
        List<String> out = remote.openAi().chat(ep, messages, Map.of("temperature", 0.2, "n", 2), CallOptions.DEFAULTS);
        assertEquals(List.of("first", "second"), out);
        StandIn.Seen seen = standIn.seen.get(0);
        assertEquals("/v1/chat/completions", seen.path());
        assertNull(seen.header("Authorization"), "no key, no header (local vLLM / Ollama)");
        JsonNode body = FakeModels.body(seen);
        assertEquals("llama-3", body.get("model").asText());
        assertEquals(messages, body.get("messages"));
        assertEquals(0.2, body.get("temperature").asDouble());
    }

    @Test
    void repliesOfTheWrongShapeAreMalformed() throws Exception {
        standIn = new StandIn(req -> Reply.json("{\"data\": [{\"index\": 0, \"embedding\": [1, 2]}]}"));
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> remote.openAi().embed(openAi("/v1").build(), List.of("a", "b"), null, CallOptions.DEFAULTS));
        assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("1 embeddings for 2 inputs"), e.getMessage());
    }

    @Test
    void optionsTheCallSetsItselfAreRefused() {
        Endpoint ep = Endpoint.builder(EndpointKind.OPENAI, "http://127.0.0.1:9/v1").build();
        assertEquals(Kind.CONFIGURATION, assertThrows(RemoteCallException.class,
                () -> remote.openAi().embed(ep, List.of("a"), Map.of("input", "b"), CallOptions.DEFAULTS)).kind());
        assertEquals(Kind.CONFIGURATION, assertThrows(RemoteCallException.class,
                () -> remote.openAi().embed(ep, List.of("a"), Map.of("encoding_format", "base64"), CallOptions.DEFAULTS)).kind());
    }
}
