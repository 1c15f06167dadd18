package io.pgmlsidecar.planner.tabular.engine;

import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;

/** The training engines this sidecar has, by name. */
public final class TrainingEngines {

    public static final TrainingEngines NONE = new TrainingEngines(Map.of());

    private final Map<String, TrainingEngine> byName;

    private TrainingEngines(Map<String, TrainingEngine> byName) {
        this.byName = byName;
    }

    public static TrainingEngines of(TrainingEngine... engines) {
        Map<String, TrainingEngine> m = new LinkedHashMap<>();
        for (TrainingEngine e : engines) {
            m.put(e.name(), e);
        }
        return new TrainingEngines(m);
    }

    /** Every engine on the class path that {@code settings} (named {@code pgml.spark.*}; the launcher gives its {@code --spark-*} options) configures. */
    public static TrainingEngines discover(Function<String, String> settings) {
        Map<String, TrainingEngine> m = new LinkedHashMap<>();
        for (TrainingEngine.Provider p : ServiceLoader.load(TrainingEngine.Provider.class)) {
            p.create(settings).ifPresent(e -> m.put(e.name(), e));
        }
        return new TrainingEngines(m);
    }

    /** The engine that takes trainings naming none over relations of {@code rows} (estimated) rows, if any. */
    public java.util.Optional<TrainingEngine> automaticFor(long rows) {
        return byName.values().stream().filter(e -> rows >= e.automaticAboveRows()).findFirst();
    }

    /** Whether some engine takes trainings that name none above a row count. */
    public boolean hasAutomatic() {
        return byName.values().stream().anyMatch(e -> e.automaticAboveRows() < Long.MAX_VALUE);
    }

    /** The engine called {@code name}, or the error that says how to configure it. */
    public TrainingEngine get(String name) {
        TrainingEngine e = byName.get(name);
        if (e != null) {
            return e;
        }
        if ("spark".equals(name)) {
            throw new PgException("55000", "no Spark master is configured for pgml.train's spark engine",
                    "Start the sidecar with --spark-master <local[N] | spark://host:7077 | k8s://https://host:port> (env "
                            + "PGML_SIDECAR_SPARK_MASTER, file key spark-master; README \"Training on Spark\"), or leave \"engine\" out of "
                            + "hyperparams to train in the sidecar.");
        }
        throw new PgException("22023", "unknown training engine \"" + name + "\"",
                "hyperparams \"engine\" is \"spark\" (configured: " + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet()))
                        + "), or leave it out to train in the sidecar.");
    }
}
