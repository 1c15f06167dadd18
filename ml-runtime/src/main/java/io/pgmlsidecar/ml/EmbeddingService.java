package io.pgmlsidecar.ml;

import io.pgmlsidecar.ml.onnx.Device;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.pipelines.EmbedOptions;
import io.pgmlsidecar.ml.pipelines.EmbeddingPipeline;
import io.pgmlsidecar.ml.store.BundledModelResolver;
import io.pgmlsidecar.ml.store.ModelCache;
import io.pgmlsidecar.ml.store.ModelLocator;
import io.pgmlsidecar.ml.store.ModelResolver;
import io.pgmlsidecar.ml.store.ModelSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Sentence embeddings, the runtime behind {@code pgml.embed(transformer, text, kwargs)}. Plain Java;
 * knows nothing of SQL. One instance serves all callers: models are loaded on first use, cached
 * (bounded by {@link MlConfig#cacheMaxBytes()}) and shared; concurrent callers of the same model are
 * micro-batched into shared inference calls. Thread-safe.
 *
 * <p>Contract of {@link #embed(String, List, Map)}:
 * <ul>
 *   <li>one vector per input, in input order; a {@code null} text gives a {@code null} vector (SQL NULL);</li>
 *   <li>inputs longer than the model's max length (usually 512 tokens, 256 for all-MiniLM-L6-v2) are
 *       truncated, never an error; the empty string is embedded like any text;</li>
 *   <li>nothing is prepended unless asked: e5 models expect the caller to write {@code "query: "} /
 *       {@code "passage: "} in the text or pass {@code {"prompt": "query: "}};</li>
 *   <li>kwargs as in {@link EmbedOptions}.</li>
 * </ul>
 */
public final class EmbeddingService implements AutoCloseable {
    private final MlConfig config;
    private final ModelLocator locator;
    private final OrtSessions sessions;
    private final ModelCache<EmbeddingPipeline> cache;

    /** A service with the standard resolution order (see {@link ModelLocator#standard}). */
    public EmbeddingService(MlConfig config) {
        this(config, ModelLocator.standard(config));
    }

    public EmbeddingService(MlConfig config, ModelLocator locator) {
        this.config = Objects.requireNonNull(config, "config");
        this.locator = Objects.requireNonNull(locator, "locator");
        this.sessions = new OrtSessions(Device.parse(config.device()), config.intraOpThreads());
        this.cache = new ModelCache<>("embedding", config.cacheMaxBytes(), name -> EmbeddingPipeline.load(locator.locate(name),
                sessions, config.batchSize(), config.maxBatchTexts(), config.maxBatchWait()));
    }

    public MlConfig config() {
        return config;
    }

    /**
     * Embeds {@code texts} with {@code model}.
     *
     * @param model  Hugging Face id, e.g. {@code intfloat/e5-small-v2}
     * @param texts  inputs; null elements give null vectors
     * @param kwargs pgml.embed kwargs (may be null): prompt, instruction, prompt_name, normalize_embeddings,
     *               truncate_dim, batch_size, precision
     * @return one vector per input
     * @throws ModelNotFoundException the model is nowhere; the message lists where it was looked for
     * @throws ModelFormatException   the model exists but cannot run here (e.g. no ONNX graph)
     * @throws MlException            bad kwargs or an inference failure
     */
    public float[][] embed(String model, List<String> texts, Map<String, ?> kwargs) {
        Objects.requireNonNull(texts, "texts");
        String key = ModelLocator.validateName(model);
        if (texts.isEmpty()) return new float[0][];
        return cache.use(key, m -> m.embed(texts, EmbedOptions.parse(kwargs, m.source().profile())));
    }

    /** Embeds one text; null gives null. */
    public float[] embed(String model, String text, Map<String, ?> kwargs) {
        return embed(model, Arrays.asList(text), kwargs)[0];
    }

    /** Output dimensions of {@code model} (loads it). */
    public int dimensions(String model) {
        return cache.use(ModelLocator.validateName(model), EmbeddingPipeline::dimensions);
    }

    /** Loads {@code model} now (e.g. at start-up) and returns its description. */
    public ModelInfo load(String model) {
        return cache.use(ModelLocator.validateName(model), m -> {
            m.dimensions();
            return m.info();
        });
    }

    /** Where {@code model} would be loaded from, without loading it. */
    public ModelSource resolve(String model) {
        return locator.locate(model);
    }

    /** Unloads one model (sessions close once in-flight calls finish); false if it was not loaded. */
    public boolean evict(String model) {
        return cache.invalidate(ModelLocator.validateName(model));
    }

    /** Unloads every model (for {@code pgml.clear_gpu_cache}). */
    public void clearCache() {
        cache.invalidateAll();
    }

    /** The models loaded now. */
    public List<ModelInfo> loadedModels() {
        return cache.loaded().stream().map(EmbeddingPipeline::info).toList();
    }

    /** The loaded model {@code model}, if loaded. */
    public Optional<ModelInfo> info(String model) {
        String key = ModelLocator.validateName(model);
        return cache.loaded().stream().filter(m -> m.source().name().equals(key)).map(EmbeddingPipeline::info).findFirst();
    }

    /** Names of the models bundled on the class path (the ml-models module), with their aliases. */
    public List<BundledModelResolver.Entry> bundledModels() {
        List<BundledModelResolver.Entry> out = new ArrayList<>();
        for (ModelResolver r : locator.resolvers()) {
            if (r instanceof BundledModelResolver b) out.addAll(b.entries());
        }
        return out;
    }

    @Override
    public void close() {
        cache.close();
    }
}
