package io.pgmlsidecar.deploy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pgmlsidecar.ml.batch.MicroBatcher;
import io.pgmlsidecar.ml.store.ModelCacheMetrics;
import io.pgmlsidecar.proxy.admin.ConsoleFacts;
import io.pgmlsidecar.proxy.admin.ConsoleTable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The admin console's view of the ML side and the configuration, read from the same meters that
 * /metrics serves (so the two never disagree), the model caches and the live settings.
 */
final class ConsoleFactsFromMeters implements ConsoleFacts {

    private final MeterRegistry registry;
    private final LiveReload settings;
    private final Map<String, String> defaults;
    private final Runnable shutdown;

    ConsoleFactsFromMeters(MeterRegistry registry, LiveReload settings, Map<String, String> defaults, Runnable shutdown) {
        this.registry = registry;
        this.settings = settings;
        this.defaults = defaults;
        this.shutdown = shutdown;
    }

    @Override
    public ConsoleTable stats() {
        // route/strategy → count, time of the served ones, errors
        Map<String, long[]> byRoute = new TreeMap<>();
        for (Counter c : registry.find("pgml.sidecar.statements").counters()) {
            byRoute.computeIfAbsent(c.getId().getTag("route") + "/" + c.getId().getTag("strategy"), k -> new long[3])[0] += (long) c.count();
        }
        for (Timer t : registry.find("pgml.sidecar.statement.duration").timers()) {
            byRoute.computeIfAbsent("served/" + t.getId().getTag("strategy"), k -> new long[3])[1] += (long) t.totalTime(TimeUnit.MICROSECONDS);
        }
        for (Counter c : registry.find("pgml.sidecar.statement.errors").counters()) {
            byRoute.computeIfAbsent("served/" + c.getId().getTag("strategy"), k -> new long[3])[2] += (long) c.count();
        }
        ConsoleTable.Builder t = ConsoleTable.of("route", "strategy", "total_query_count", "total_query_time", "avg_query_time",
                "total_errors", "total_received", "total_sent");
        byRoute.forEach((key, v) -> {
            String[] parts = key.split("/", 2);
            boolean served = parts[0].equals("served");
            t.row(parts[0], parts[1], v[0], served ? v[1] : null, served && v[0] > 0 ? v[1] / v[0] : null, served ? v[2] : null,
                    null, null);
        });
        t.row("all", null, byRoute.values().stream().mapToLong(v -> v[0]).sum(), null, null, null,
                (long) counted("pgml.sidecar.client.received"), (long) counted("pgml.sidecar.client.sent"));
        return t.build();
    }

    private double counted(String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    @Override
    public ConsoleTable models() {
        Map<String, Double> calls = sumByTag("pgml.calls", "model");
        ConsoleTable.Builder t = ConsoleTable.of("cache", "name", "device", "memory_bytes", "calls");
        for (ModelCacheMetrics.LoadedModel m : ModelCacheMetrics.loadedModels()) {
            Double n = calls.get(m.name());
            Long served = m.servedCalls() != null ? m.servedCalls() : (n == null ? null : n.longValue());
            t.row(m.cache(), m.name(), m.device(), m.memoryBytes(), served);
        }
        return t.build();
    }

    @Override
    public ConsoleTable batches() {
        ConsoleTable.Builder t = ConsoleTable.of("name", "kind", "batches", "rows", "avg_rows", "max_rows", "queued");
        for (DistributionSummary s : registry.find("pgml.call.batch.rows").summaries()) {
            long n = s.count();
            t.row(s.getId().getTag("function"), "call", n, (long) s.totalAmount(), n == 0 ? null : Math.round(s.mean()),
                    (long) s.max(), null);
        }
        for (MicroBatcher.Stats b : MicroBatcher.live()) {
            t.row(b.name(), "micro-batcher", b.runs(), b.itemsRun(), b.runs() == 0 ? null : b.itemsRun() / b.runs(), null,
                    b.queuedRequests());
        }
        Map<String, String> now = settings.current();
        t.row("select-batch-rows", "setting", null, null, null, now.get("select-batch-rows"), null);
        t.row("staged-batch-rows", "setting", null, null, null, now.get("staged-batch-rows"), null);
        return t.build();
    }

    @Override
    public ConsoleTable config() {
        ConsoleTable.Builder t = ConsoleTable.of("key", "value", "default", "changeable");
        settings.current().forEach((key, value) ->
                t.row(key, value, defaults.get(key), settings.isLive(key) ? "yes" : "no"));
        return t.build();
    }

    @Override
    public List<String> reload() {
        return settings.reload();
    }

    @Override
    public void shutdown() {
        // the graceful stop waits for sessions: never on the console's event loop
        Thread.ofPlatform().name("pgml-admin-shutdown").start(shutdown);
    }

    private Map<String, Double> sumByTag(String name, String tag) {
        Map<String, Double> out = new TreeMap<>();
        for (Meter m : registry.find(name).meters()) {
            if (m instanceof Counter c) {
                out.merge(c.getId().getTag(tag), c.count(), Double::sum);
            }
        }
        return out;
    }

    /** Each option's default as written in its declaration, {@code ${env:X:-DEFAULT}} → DEFAULT. */
    static Map<String, String> defaultsOf(picocli.CommandLine.Model.CommandSpec spec) {
        Map<String, String> out = new TreeMap<>();
        for (picocli.CommandLine.Model.OptionSpec o : spec.options()) {
            String d = o.defaultValue();
            if (d != null) {
                int dash = d.indexOf(":-");
                d = d.startsWith("${env:") ? (dash < 0 ? null : d.substring(dash + 2, d.length() - 1)) : d;
            }
            out.put(ConfigSources.key(o), d);
        }
        return out;
    }

}
