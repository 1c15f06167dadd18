package io.pgmlsidecar.planner.bulk;

import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

/** The bulk embedding engines this sidecar has, by name. */
public final class EmbeddingEngines {

    public static final EmbeddingEngines NONE = new EmbeddingEngines(Map.of());

    private final Map<String, EmbeddingEngine> byName;

    private EmbeddingEngines(Map<String, EmbeddingEngine> byName) {
        this.byName = byName;
    }

    public static EmbeddingEngines of(EmbeddingEngine... engines) {
        Map<String, EmbeddingEngine> m = new LinkedHashMap<>();
        for (EmbeddingEngine e : engines) {
            m.put(e.name(), e);
        }
        return new EmbeddingEngines(m);
    }

    /** Every engine on the class path that {@code settings} (e.g. system properties {@code pgml.spark.*}) configures. */
    public static EmbeddingEngines discover(Function<String, String> settings) {
        Map<String, EmbeddingEngine> m = new LinkedHashMap<>();
        for (EmbeddingEngine.Provider p : ServiceLoader.load(EmbeddingEngine.Provider.class)) {
            p.create(settings).ifPresent(e -> m.put(e.name(), e));
        }
        return new EmbeddingEngines(m);
    }

    /** The engine that takes updates naming none over tables of {@code rows} (estimated) rows, if any. */
    public Optional<EmbeddingEngine> automaticFor(long rows) {
        return byName.values().stream().filter(e -> rows >= e.automaticAboveRows()).findFirst();
    }

    public boolean hasAutomatic() {
        return byName.values().stream().anyMatch(e -> e.automaticAboveRows() < Long.MAX_VALUE);
    }

    /** The engine called {@code name}, or the error that says how to configure it. */
    public EmbeddingEngine get(String name) {
        EmbeddingEngine e = byName.get(name);
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
