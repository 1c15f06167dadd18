package io.pgmlsidecar.ml.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgmlsidecar.ml.remote.RemoteCallException.Kind;
import io.pgmlsidecar.ml.remote.StandIn.Reply;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** KServe v2 inference against a local stand-in. */
class KServeRemoteTest {
    final RemoteModels remote = new RemoteModels(new SimpleMeterRegistry(), java.time.Duration.ofSeconds(10), EndpointAddressPolicy.allowing("127.0.0.1"));
    StandIn standIn;

    @AfterEach
    void stop() {
        remote.close();
        if (standIn != null) standIn.close();
    }

    /** Answers {@code [n, 2]} FP32 rows (the fake vectors), flat or nested as asked. */
    static Reply infer(StandIn.Seen req, boolean nested) throws Exception {
        JsonNode input = FakeModels.body(req).get("inputs").get(0);
        StringBuilder data = new StringBuilder();
        int n = input.get("data").size();
        for (int i = 0; i < n; i++) {
            float[] v = FakeModels.vector(input.get("data").get(i).asText());
            if (i > 0) data.append(',');
            data.append(nested ? "[" + v[0] + "," + v[1] + "]" : v[0] + "," + v[1]);
        }
        return Reply.json("{\"model_name\": \"enc\", \"outputs\": [{\"name\": \"ids\", \"shape\": [" + n
                + "], \"datatype\": \"INT64\", \"data\": [" + "0,".repeat(n).replaceAll(",$", "") + "]},"
                + "{\"name\": \"embedding\", \"shape\": [" + n + ", 2], \"datatype\": \"FP32\", \"data\": [" + data + "]}]}");
    }

    @Test
    void inferSendsABytesTensorAndReadsFloatRows() throws Exception {
        standIn = new StandIn(req -> infer(req, false));
        Endpoint ep = Endpoint.builder(EndpointKind.KSERVE_V2, standIn.url("")).model("enc").key("kserve-token-1").build();
        List<String> texts = List.of("alpha", "be");
        float[][] rows = remote.kserve().infer(ep, texts, Map.of(KServeClient.OUTPUT_NAME, "embedding", "truncate", true),
                CallOptions.DEFAULTS);
        assertArrayEquals(FakeModels.vector("alpha"), rows[0]);
        assertArrayEquals(FakeModels.vector("be"), rows[1]);

        StandIn.Seen seen = standIn.seen.get(0);
        assertEquals("/v2/models/enc/infer", seen.path());
        assertEquals("Bearer kserve-token-1", seen.header("Authorization"));
        JsonNode body = FakeModels.body(seen);
        assertEquals("{\"name\":\"input\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"alpha\",\"be\"]}",
                body.get("inputs").get(0).toString());
        assertEquals("embedding", body.get("outputs").get(0).get("name").asText());
        assertEquals("{\"truncate\":true}", body.get("parameters").toString());
    }

    @Test
    void nestedDataAndEmbedThroughTheFacade() throws Exception {
        standIn = new StandIn(req -> infer(req, true));
        Endpoint ep = Endpoint.builder(EndpointKind.KSERVE_V2, standIn.url("/v2/models/enc/infer")).maxBatchSize(2).build();
        List<String> texts = List.of("a", "bb", "ccc");
        float[][] rows = remote.embed(ep, texts, Map.of(KServeClient.OUTPUT_NAME, "embedding"), CallOptions.DEFAULTS);
        for (int i = 0; i < texts.size(); i++) assertArrayEquals(FakeModels.vector(texts.get(i)), rows[i]);
        assertEquals(2, standIn.requests(), "batches of 2");
        assertEquals("/v2/models/enc/infer", standIn.seen.get(0).path(), "a URL ending in /infer is used as is");
    }

    @Test
    void outputNotMatchingItsShapeIsMalformed() throws Exception {
        standIn = new StandIn(req -> Reply.json(
                "{\"outputs\": [{\"name\": \"e\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2]}]}"));
        Endpoint ep = Endpoint.builder(EndpointKind.KSERVE_V2, standIn.url("")).model("enc").build();
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> remote.kserve().infer(ep, List.of("a"), null, CallOptions.DEFAULTS));
        assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("does not match its shape"), e.getMessage());
    }

    @Test
    void modelNameIsRequired() {
        Endpoint ep = Endpoint.builder(EndpointKind.KSERVE_V2, "http://127.0.0.1:9").build();
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> remote.kserve().infer(ep, List.of("a"), null, CallOptions.DEFAULTS));
        assertEquals(Kind.CONFIGURATION, e.kind());
        assertTrue(e.hint().contains("/v2/models/{model}/infer"), e.hint());
    }
}
