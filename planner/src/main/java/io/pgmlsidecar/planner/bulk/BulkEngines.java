package io.pgmlsidecar.planner.bulk;

import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

/** The bulk embedding engines this sidecar has, by name. */
public final class BulkEngines {

    public static final BulkEngines NONE = new BulkEngines(Map.of());

    private final Map<String, BulkEngine> byName;

    private BulkEngines(Map<String, BulkEngine> byName) {
        this.byName = byName;
    }

    public static BulkEngines of(BulkEngine... engines) {
        Map<String, BulkEngine> m = new LinkedHashMap<>();
        for (BulkEngine e : engines) {
            m.put(e.name(), e);
        }
        return new BulkEngines(m);
    }

    /** Every engine on the class path that {@code settings} (e.g. system properties {@code pgml.spark.*}) configures. */
    public static BulkEngines discover(Function<String, String> settings) {
        Map<String, BulkEngine> m = new LinkedHashMap<>();
        for (BulkEngine.Provider p : ServiceLoader.load(BulkEngine.Provider.class)) {
            p.create(settings).ifPresent(e -> m.put(e.name(), e));
        }
        return new BulkEngines(m);
    }

    /** The engine that takes updates naming none over tables of {@code rows} (estimated) rows, if any. */
    public Optional<BulkEngine> automaticFor(long rows) {
        return byName.values().stream().filter(e -> rows >= e.automaticAboveRows()).findFirst();
    }

    public boolean hasAutomatic() {
        return byName.values().stream().anyMatch(e -> e.automaticAboveRows() < Long.MAX_VALUE);
    }

    /** The engine called {@code name}, or the error that says how to configure it. */
    public BulkEngine get(String name) {
        BulkEngine e = byName.get(name);
        if (e != null) {
            return e;
        }
        if ("spark".equals(name)) {
            throw new PgException("55000", "no Spark master is configured for pgml.embed's spark engine",
                    "Start the sidecar with --spark-master <local[N] | spark://host:7077> (PGML_SIDECAR_SPARK_MASTER; "
                            + "spark-engine/README.md), or leave \"engine\" out of kwargs to embed in the sidecar.");
        }
        throw new PgException("22023", "unknown embedding engine \"" + name + "\"",
                "kwargs \"engine\" is \"spark\" or \"local\" (configured: " + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet()))
                        + "), or leave it out.");
    }
}
