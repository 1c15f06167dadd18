package io.pgmlsidecar.ml.tabular;

import io.pgmlsidecar.ml.tabular.preprocess.PreprocessSpec;
import io.pgmlsidecar.ml.tabular.split.TestSampling;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The arguments of a training run, with pgml.train's defaults: algorithm linear, hyperparams {},
 * search none, test_size 0.25, test_sampling stratified, preprocess {}. {@code seed} makes splits, folds
 * and randomised algorithms reproducible (default 42). {@code xgboostDevice} ("cuda") is used when the
 * hyperparams name no device. {@code externalXgboost}: where an xgboost fit's booster is trained instead of in this
 * JVM (null: here).
 */
public record TrainRequest(Task task, String algorithm, Map<String, Object> hyperparams, String search,
                           Map<String, List<Object>> searchParams, Map<String, Object> searchArgs, double testSize,
                           TestSampling testSampling, PreprocessSpec preprocess, long seed, String xgboostDevice,
                           ExternalBoosterFit externalXgboost) {

    public TrainRequest {
        Objects.requireNonNull(task, "task");
        algorithm = algorithm == null ? "linear" : algorithm;
        hyperparams = hyperparams == null ? Map.of() : hyperparams;
        searchParams = searchParams == null ? Map.of() : searchParams;
        searchArgs = searchArgs == null ? Map.of() : searchArgs;
        testSampling = testSampling == null ? TestSampling.STRATIFIED : testSampling;
        preprocess = preprocess == null ? PreprocessSpec.NONE : preprocess;
    }

    /** This request with xgboost boosters trained by {@code fit}. */
    public TrainRequest withExternalXgboost(ExternalBoosterFit fit) {
        return new TrainRequest(task, algorithm, hyperparams, search, searchParams, searchArgs, testSize, testSampling, preprocess, seed,
                xgboostDevice, fit);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Parses a jsonb argument that must be an object; null or blank gives an empty map. */
    public static Map<String, Object> jsonObject(String argument, String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        try {
            Object v = JSON.readValue(json, Object.class);
            if (!(v instanceof Map<?, ?>)) {
                throw new TabularException(argument + " must be a JSON object, got " + json);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            return m;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TabularException(argument + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public static Builder builder(Task task) {
        return new Builder(task);
    }

    public static final class Builder {
        private final Task task;
        private String algorithm = "linear";
        private Map<String, Object> hyperparams = Map.of();
        private String search;
        private Map<String, List<Object>> searchParams = Map.of();
        private Map<String, Object> searchArgs = Map.of();
        private double testSize = 0.25;
        private TestSampling testSampling = TestSampling.STRATIFIED;
        private PreprocessSpec preprocess = PreprocessSpec.NONE;
        private long seed = 42;
        private String xgboostDevice;
        private ExternalBoosterFit externalXgboost;

        Builder(Task task) {
            this.task = task;
        }

        public Builder algorithm(String a) {
            algorithm = a;
            return this;
        }

        public Builder hyperparams(Map<String, Object> h) {
            hyperparams = h;
            return this;
        }

        /** {@code hyperparams} as the jsonb text pgml.train receives (null or blank = {}). */
        public Builder hyperparamsJson(String json) {
            hyperparams = jsonObject("hyperparams", json);
            return this;
        }

        /** {@code search_params} jsonb: an object of arrays. */
        @SuppressWarnings("unchecked")
        public Builder searchParamsJson(String json) {
            Map<String, Object> m = jsonObject("search_params", json);
            Map<String, List<Object>> out = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> {
                if (!(v instanceof List<?>)) {
                    throw new TabularException("search_params \"" + k + "\" must be an array of values, got " + v,
                            "e.g. search_params => '{\"max_depth\": [2, 4, 6]}'");
                }
                out.put(k, (List<Object>) v);
            });
            searchParams = out;
            return this;
        }

        /** {@code search_args} jsonb ({@code n_iter}, {@code cv}). */
        public Builder searchArgsJson(String json) {
            searchArgs = jsonObject("search_args", json);
            return this;
        }

        /** {@code preprocess} jsonb. */
        public Builder preprocessJson(String json) {
            preprocess = PreprocessSpec.parse(json);
            return this;
        }

        public Builder search(String s) {
            search = s;
            return this;
        }

        public Builder searchParams(Map<String, List<Object>> s) {
            searchParams = s;
            return this;
        }

        public Builder searchArgs(Map<String, Object> s) {
            searchArgs = s;
            return this;
        }

        public Builder testSize(double t) {
            testSize = t;
            return this;
        }

        public Builder testSampling(TestSampling s) {
            testSampling = s;
            return this;
        }

        public Builder preprocess(PreprocessSpec p) {
            preprocess = p;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public Builder xgboostDevice(String d) {
            xgboostDevice = d;
            return this;
        }

        /** Trains xgboost boosters with {@code fit} instead of in this JVM (pgml.train's Spark engine). */
        public Builder externalXgboost(ExternalBoosterFit fit) {
            externalXgboost = fit;
            return this;
        }

        public TrainRequest build() {
            return new TrainRequest(task, algorithm, hyperparams, search, searchParams, searchArgs, testSize, testSampling, preprocess, seed,
                    xgboostDevice, externalXgboost);
        }
    }
}
