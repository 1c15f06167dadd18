package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The readers of every estimator state schema ever written, by stored type and version
 * (docs/model-format.md). Each family of estimators registers its own readers; a version is never
 * removed, so every model a released build stored stays loadable.
 */
public final class EstimatorFormats {
    /** Registers one (type, version) reader. */
    @FunctionalInterface
    interface Registry {
        void add(String type, int version, Function<StateReader, ? extends Estimator> reader);
    }

    private static final Map<String, Function<StateReader, ? extends Estimator>> READERS = new TreeMap<>();

    static {
        Registry r = (type, version, reader) -> {
            if (READERS.putIfAbsent(key(type, version), reader) != null) {
                throw new IllegalStateException("two readers for " + key(type, version));
            }
        };
        LinearModels.registerFormats(r);
        SgdModels.registerFormats(r);
        SvmModels.registerFormats(r);
        KernelModels.registerFormats(r);
        GaussianProcessClassifier.registerFormats(r);
        Ensembles.registerFormats(r);
        HistGradientBoosting.registerFormats(r);
        XgboostModel.registerFormats(r);
        LightgbmModel.registerFormats(r);
        Clustering.registerFormats(r);
        Birch.registerFormats(r);
        SpectralClustering.registerFormats(r);
        JointRegressor.registerFormats(r);
    }

    private EstimatorFormats() {
    }

    private static String key(String type, int version) {
        return type + "/" + version;
    }

    /** {@code "type/version"} of every readable estimator state, sorted. */
    public static java.util.Set<String> readable() {
        return Collections.unmodifiableSet(READERS.keySet());
    }

    /** The estimator entry of a model document: its type, version and state. */
    public static void write(StateWriter out, Estimator e) {
        out.put("type", e.storedType()).put("version", e.storedVersion()).putObject("state", e::writeState);
    }

    public static Estimator read(StateReader in) {
        String type = in.getString("type");
        int version = in.getInt("version");
        Function<StateReader, ? extends Estimator> reader = READERS.get(key(type, version));
        if (reader == null) {
            throw new TabularException("the stored model's estimator " + key(type, version) + " is unknown to this build",
                    "it was stored by a newer pgml-sidecar; upgrade the sidecar, or retrain the project with this one");
        }
        return reader.apply(in.object("state"));
    }
}
