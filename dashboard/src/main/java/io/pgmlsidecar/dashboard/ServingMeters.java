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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The serving page's numbers: the sidecar's own Micrometer meters (model calls, batch sizes,
 * latency, loaded models, remote endpoints; the JVM's memory) as they stand now. A meter tagged
 * with a project is shown only to a role that may read that project's row: the meters are the
 * process's, the project names in them are the registry's. JVM meters other than memory are left
 * out; the Prometheus endpoint has them all.
 */
final class ServingMeters {
    private ServingMeters() {}

    static ObjectNode read(MeterRegistry registry, Set<String> readableProjects) {
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        ArrayNode meters = answer.putArray("meters");
        registry.getMeters().stream()
                .filter(m -> shown(m.getId().getName()))
                .filter(m -> m.getId().getTag("project") == null || readableProjects.contains(m.getId().getTag("project")))
                .sorted(Comparator.comparing((Meter m) -> m.getId().getName()).thenComparing(m -> m.getId().getTags().toString()))
                .forEach(m -> meters.add(describe(m)));
        answer.put("read_at", System.currentTimeMillis());
        return answer;
    }

    /** The names of the projects the role may read; none where it may not read pgml.projects at all. */
    static Set<String> readableProjects(Connection c) throws SQLException {
        Set<String> names = new HashSet<>();
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT name FROM pgml.projects")) {
            while (r.next()) {
                names.add(r.getString(1));
            }
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw e;
            }
        }
        return names;
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
