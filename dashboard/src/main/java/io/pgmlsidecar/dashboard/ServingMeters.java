package io.pgmlsidecar.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

/**
 * The serving page's numbers: the sidecar's own Micrometer meters (model calls, batch sizes,
 * latency, loaded models, remote endpoints; the JVM's memory) as they stand now. JVM meters other
 * than memory are left out; the Prometheus endpoint has them all.
 */
final class ServingMeters {
    private ServingMeters() {}

    static ObjectNode read(MeterRegistry registry) {
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        ArrayNode meters = answer.putArray("meters");
        registry.getMeters().stream()
                .filter(m -> shown(m.getId().getName()))
                .sorted(Comparator.comparing((Meter m) -> m.getId().getName()).thenComparing(m -> m.getId().getTags().toString()))
                .forEach(m -> meters.add(describe(m)));
        answer.put("read_at", System.currentTimeMillis());
        return answer;
    }

    private static boolean shown(String name) {
        return !name.startsWith("jvm.") || name.startsWith("jvm.memory.used") || name.startsWith("jvm.memory.max");
    }

    private static ObjectNode describe(Meter m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", m.getId().getName());
        o.put("description", m.getId().getDescription());
        o.put("unit", m.getId().getBaseUnit());
        ObjectNode tags = o.putObject("tags");
        for (Tag t : m.getId().getTags()) {
            tags.put(t.getKey(), t.getValue());
        }
        switch (m) {
            case Timer t -> o.put("type", "timer").put("count", t.count())
                    .put("mean_ms", t.mean(TimeUnit.MILLISECONDS)).put("max_ms", t.max(TimeUnit.MILLISECONDS))
                    .put("total_ms", t.totalTime(TimeUnit.MILLISECONDS));
            case DistributionSummary s -> o.put("type", "summary").put("count", s.count()).put("mean", s.mean())
                    .put("max", s.max()).put("total", s.totalAmount());
            case Counter c -> o.put("type", "counter").put("value", c.count());
            case FunctionCounter c -> o.put("type", "counter").put("value", c.count());
            case Gauge g -> o.put("type", "gauge").put("value", finite(g.value()));
            default -> {
                o.put("type", m.getId().getType().name().toLowerCase());
                m.measure().forEach(s -> o.put(s.getStatistic().getTagValueRepresentation(), finite(s.getValue())));
            }
        }
        return o;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
