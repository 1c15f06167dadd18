package io.pgmlsidecar.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which meters the serving page shows a role: registry names only where it may read the row. */
class ServingMetersTest {

    private static List<String> shown(SimpleMeterRegistry r, Set<String> readable) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : ServingMeters.read(r, readable).path("meters")) {
            out.add(m.path("name").asText() + " " + m.path("tags").path("model").asText());
        }
        return out;
    }

    @Test
    void modelCacheMetersNameHubModelsToEveryoneAndRegistryModelsToReaders() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        // the per-model memory gauge carries cache and model, no function (it once made the page fail)
        Gauge.builder("pgml.model.memory", () -> 1024).tags("cache", "embedding", "model", "intfloat/e5-small-v2").register(r);
        Gauge.builder("pgml.model.memory", () -> 2048).tags("cache", "tabular", "model", "42").register(r);
        Counter.builder("pgml.calls").tags("function", "pgml.predict", "model", "secret_project").register(r).increment();
        Counter.builder("pgml.calls").tags("function", "pgml.embed", "model", "intfloat/e5-small-v2").register(r).increment();
        assertEquals(List.of("pgml.calls intfloat/e5-small-v2", "pgml.model.memory intfloat/e5-small-v2"), shown(r, Set.of()));
        assertEquals(List.of("pgml.calls intfloat/e5-small-v2", "pgml.calls secret_project", "pgml.model.memory intfloat/e5-small-v2",
                "pgml.model.memory 42"), shown(r, Set.of("42", "secret_project")));
    }
}
