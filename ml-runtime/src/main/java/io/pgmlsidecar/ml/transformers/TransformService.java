package io.pgmlsidecar.ml.transformers;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.onnx.Device;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.store.ModelCache;
import io.pgmlsidecar.ml.store.ModelLocator;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Hugging Face pipelines on ONNX Runtime: {@code pgml.transform} and {@code pgml.transform_stream}.
 * Loaded pipelines are cached per (task, model) and shared by all sessions.
 */
public final class TransformService implements AutoCloseable {
    private final PipelineContext context;
    private final ModelCache<TaskPipeline> cache;
    private final java.util.Map<String, Boolean> crossEncoders = new java.util.concurrent.ConcurrentHashMap<>();
    private final GenerationCoalescer coalescer = new GenerationCoalescer();
    /** Names of the models a pipeline was loaded for: found locally, so callers need not look elsewhere. */
    private final java.util.Set<String> localModels = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public TransformService(MlConfig config) {
        this(config, ModelLocator.standard(config));
    }

    public TransformService(MlConfig config, ModelLocator locator) {
        Objects.requireNonNull(config, "config");
        this.context = new PipelineContext(config, locator, new OrtSessions(Device.parse(config.device()), config.intraOpThreads()));
        this.cache = new ModelCache<>("transformer", config.cacheMaxBytes(), this::load);
    }

    public MlConfig config() {
        return context.config();
    }

    /**
     * True when {@code model} is a cross-encoder: a sequence classifier with one output (a relevance
     * score per text pair), as sentence-transformers' CrossEncoder models are. Answered from
     * config.json without loading the graph; models found nowhere are not.
     */
    public boolean isCrossEncoder(String model) {
        String name = ModelLocator.validateName(model);
        Boolean known = crossEncoders.get(name);
        if (known != null) {
            return known;
        }
        TransformerModel m;
        try {
            m = context.model(name);
        } catch (io.pgmlsidecar.ml.MlException e) {
            return false; // not cached: the model may be placed later
        }
        com.fasterxml.jackson.databind.JsonNode c = m.config();
        boolean classifier = false;
        for (com.fasterxml.jackson.databind.JsonNode a : c.path("architectures")) {
            classifier |= a.asText().endsWith("ForSequenceClassification");
        }
        int labels = c.path("num_labels").asInt(c.path("id2label").size());
        boolean cross = (classifier || c.has("id2label")) && labels == 1;
        crossEncoders.put(name, cross);
        return cross;
    }

    /** Runs {@code request}; the JSON is what the Hugging Face pipeline returns, as PostgresML serialises it. */
    public JsonNode transform(TransformRequest request) {
        String task = request.task().task().hfName();
        String key = key(request);
        if (GenerationCoalescer.mergeable(request)) {
            return coalescer.run(key + '|' + (request.args() == null ? "{}" : request.args().toString()), request,
                    (inputs, args) -> cache.use(key, p -> p.run(inputs, new PipelineArgs(args, task))));
        }
        PipelineArgs args = new PipelineArgs(request.args(), task);
        return cache.use(key, p -> p.run(request.inputs(), args));
    }

    /**
     * For a text- or token-classification {@code request} (its inputs are not used): the model's files and the arguments as the
     * pipeline reads them, for an engine that classifies elsewhere; empty for other tasks and for tuned projects.
     * Loads the pipeline, so an unknown model or a bad argument fails here as the call itself would.
     */
    public java.util.Optional<ClassifierFiles> classifierFiles(TransformRequest request) {
        TransformTask task = request.task().task();
        if ((task != TransformTask.TEXT_CLASSIFICATION && task != TransformTask.TOKEN_CLASSIFICATION) || request.directory() != null) {
            return java.util.Optional.empty();
        }
        PipelineArgs args = new PipelineArgs(request.args(), task.hfName());
        return java.util.Optional.ofNullable(cache.use(key(request), p -> {
            if (p instanceof io.pgmlsidecar.ml.transformers.encoder.TextClassificationPipeline c) {
                return c.files(args);
            }
            return p instanceof io.pgmlsidecar.ml.transformers.encoder.TokenClassificationPipeline t ? t.files(args) : null;
        }));
    }

    /** True once a pipeline of {@code model} was loaded from a local place (no remote lookup needed). */
    public boolean servesLocally(String model) {
        return model != null && localModels.contains(model.strip());
    }

    /** {runs, requests} of the generation calls merged across sessions (tests, metrics). */
    public long[] mergedGenerationCounts() {
        return coalescer.counts();
    }

    /** Runs a generative {@code request}, handing text to {@code sink} as it is produced. */
    public void stream(TransformRequest request, TokenSink sink) {
        PipelineArgs args = new PipelineArgs(request.args(), request.task().task().hfName());
        cache.<Void>use(key(request), p -> {
            p.stream(request.inputs(), args, sink);
            return null;
        });
    }

    /** Unloads every pipeline (pgml.clear_gpu_cache); sessions close once in-flight calls finish. Returns how many were loaded. */
    public int clearCache() {
        int loaded = cache.loaded().size();
        cache.invalidateAll();
        crossEncoders.clear();
        return loaded;
    }

    /** task|model|languages|directory: one cached pipeline per distinct combination. */
    private static String key(TransformRequest r) {
        TransformTask.Parsed t = r.task();
        return t.task().name() + '|' + ModelLocator.validateName(r.modelOrDefault()) + '|'
                + (t.sourceLanguage() == null ? "" : t.sourceLanguage() + ">" + t.targetLanguage()) + '|'
                + (r.directory() == null ? "" : r.directory().toAbsolutePath());
    }

    private TaskPipeline load(String key) {
        String[] parts = key.split("\\|", 4);
        TransformTask task = TransformTask.valueOf(parts[0]);
        String[] langs = parts[2].isEmpty() ? new String[] {null, null} : parts[2].split(">", 2);
        TransformTask.Parsed parsed = new TransformTask.Parsed(task, langs[0], langs[1]);
        PipelineContext at = parts[3].isEmpty() ? context : context.at(parts[1], Path.of(parts[3]));
        TaskPipeline pipeline = task.generates()
                ? GenerationPipelines.open(parsed, parts[1], at)
                : EncoderPipelines.open(parsed, parts[1], at);
        if (parts[3].isEmpty()) {
            localModels.add(parts[1]);
        }
        return pipeline;
    }

    @Override
    public void close() {
        coalescer.close();
        cache.close();
    }
}
