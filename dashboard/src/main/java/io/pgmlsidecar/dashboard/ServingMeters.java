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
                .filter(m -> readable(m.getId(), readableProjects))
                .sorted(Comparator.comparing((Meter m) -> m.getId().getName()).thenComparing(m -> m.getId().getTags().toString()))
                .forEach(m -> meters.add(describe(m)));
        answer.put("read_at", System.currentTimeMillis());
        return answer;
    }

    /** Functions whose {@code model} tag names a hub or remote model, not a registry row. */
    private static final Set<String> HUB_MODEL_FUNCTIONS = Set.of("pgml.embed", "pgml.rank", "pgml.transform", "pgml.chunk");

    /**
     * A meter naming a project or a model of the registry (the {@code project} tag, or the
     * {@code model} tag of a registry function: a project name or a model id) is shown only when
     * the role may read that row.
     */
    private static boolean readable(Meter.Id id, Set<String> readable) {
        String project = id.getTag("project");
        if (project != null && !project.isEmpty() && !readable.contains(project)) {
            return false;
        }
        String model = id.getTag("model");
        if (model == null || model.isEmpty()) {
            return true;
        }
        // a hub or remote model's name is no registry row; a model cache's meter says which cache (tabular: registry ids)
        String function = id.getTag("function");
        String cache = id.getTag("cache");
        boolean hubModel = function != null ? HUB_MODEL_FUNCTIONS.contains(function) : cache != null && !cache.equals("tabular");
        return hubModel || readable.contains(model);
    }

    /**
     * The names of the projects and the ids of the models the role may read; none where it may
     * not read the registry at all.
     */
    static Set<String> readableProjects(Connection c) throws SQLException {
        Set<String> names = new HashSet<>();
        for (String query : new String[] {"SELECT name FROM pgml.projects", "SELECT id::text FROM pgml.models"}) {
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery(query)) {
                while (r.next()) {
                    names.add(r.getString(1));
                }
            } catch (SQLException e) {
                if (!"42501".equals(e.getSQLState())) {
                    throw e;
                }
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
