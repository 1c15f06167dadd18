package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.data.Dataset;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Toy data sets as Datasets, cached per JVM. */
final class Toy {
    private static final Map<String, Dataset> CACHE = new ConcurrentHashMap<>();

    private Toy() {
    }

    static Dataset get(String name, String label) {
        return CACHE.computeIfAbsent(name + "/" + label, k -> PgmlDatasets.toDataset(PgmlDatasets.load(name, null), label));
    }

    static double metric(TrainResult r, String key) {
        return ((Number) r.metrics().get(key)).doubleValue();
    }
}
