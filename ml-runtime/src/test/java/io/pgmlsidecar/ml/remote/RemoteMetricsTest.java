package io.pgmlsidecar.ml.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgmlsidecar.ml.remote.StandIn.Reply;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Micrometer meters per endpoint: requests, errors by kind, retries, latency, batch sizes. */
class RemoteMetricsTest {
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final RemoteModels remote = new RemoteModels(meters, java.time.Duration.ofSeconds(10), EndpointAddressPolicy.allowing("127.0.0.1"));
    StandIn standIn;

    @AfterEach
    void stop() {
        remote.close();
        if (standIn != null) standIn.close();
    }

    double count(String name, String... tags) {
        return meters.get(name).tags("endpoint", "scoring").tags(tags).counter().count();
    }

    @Test
    void countersFollowRequestsRetriesAndErrors() throws Exception {
        standIn = new StandIn(req -> switch (req.n()) {
            case 1, 2 -> Reply.status(503, "warming up");
            case 3 -> Reply.json("{}");
            case 4 -> Reply.status(400, "bad input");
            default -> FakeModels.openAiEmbeddings(req);
        });
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_ML, standIn.url("/score")).name("scoring").build();
        remote.azureMl().invoke(ep, "{}", null, CallOptions.of(null, 3, 10));

        assertEquals(3, count(EndpointMetrics.REQUESTS));
        assertEquals(2, count(EndpointMetrics.RETRIES));
        assertEquals(2, count(EndpointMetrics.ERRORS, "kind", "server_error"));
        assertEquals(3, meters.get(EndpointMetrics.LATENCY).tags("endpoint", "scoring").timer().count());

        assertThrows(RemoteCallException.class, () -> remote.azureMl().invoke(ep, "{}", null, CallOptions.of(null, 3, 10)));
        assertEquals(4, count(EndpointMetrics.REQUESTS));
        assertEquals(2, count(EndpointMetrics.RETRIES), "a 400 is not retried");
        assertEquals(1, count(EndpointMetrics.ERRORS, "kind", "client_error"));
        assertEquals(0, count(EndpointMetrics.ERRORS, "kind", "timeout"));
        assertEquals(0, meters.get(EndpointMetrics.QUEUED).tags("endpoint", "scoring").gauge().value());

        Endpoint embeddings = Endpoint.builder(EndpointKind.OPENAI, standIn.url("/v1")).name("emb").maxBatchSize(4).build();
        remote.openAi().embed(embeddings, List.of("a", "b", "c", "d", "e", "a"), null, CallOptions.DEFAULTS);
        var batches = meters.get(EndpointMetrics.BATCH_SIZE).tags("endpoint", "emb").summary();
        assertEquals(2, batches.count());
        assertEquals(5, batches.totalAmount());
        assertEquals(4, batches.max());
        assertEquals(1, meters.get(EndpointMetrics.DEDUPLICATED).tags("endpoint", "emb").counter().count());
    }

    @Test
    void endpointTagDefaultsToHostAndPort() throws Exception {
        standIn = new StandIn(req -> Reply.json("{}"));
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_ML, standIn.url("/score")).build();
        remote.azureMl().invoke(ep, "{}", null, CallOptions.DEFAULTS);
        String tag = meters.get(EndpointMetrics.REQUESTS).counter().getId().getTag("endpoint");
        assertTrue(tag.matches("127\\.0\\.0\\.1:\\d+"), tag);
    }
}
