package io.pgmlsidecar.planner.functions;

import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.ModelNotFoundException;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.List;
import java.util.Map;

/** pgml.embed served by the ml-runtime; runtime failures become PostgreSQL errors. */
public final class RuntimeEmbeddingModels implements EmbeddingModels {

    private final EmbeddingService service;

    public RuntimeEmbeddingModels(EmbeddingService service) {
        this.service = service;
    }

    @Override
    public float[][] embed(String model, List<String> texts, Map<String, Object> kwargs) {
        try {
            return service.embed(model, texts, kwargs);
        } catch (ModelNotFoundException e) {
            throw new PgException(new PgError("ERROR", "42704", firstLine(e.getMessage()), rest(e.getMessage()),
                    "Place the model in Hugging Face layout (config.json, tokenizer.json, model.onnx) in the sidecar's "
                            + "models directory or Hugging Face cache, or use a bundled model such as "
                            + "sentence-transformers/all-MiniLM-L6-v2.", 0), e);
        } catch (ModelFormatException e) {
            throw new PgException(new PgError("ERROR", "22023", firstLine(e.getMessage()), rest(e.getMessage()),
                    "Only ONNX graphs run in the sidecar: export the model with "
                            + "`optimum-cli export onnx --model <org/name> <dir>`.", 0), e);
        } catch (MlException | IllegalArgumentException e) {
            throw new PgException(new PgError("ERROR", "38000", "pgml.embed failed: " + firstLine(e.getMessage()),
                    rest(e.getMessage()), "Check the model name and kwargs of pgml.embed.", 0), e);
        }
    }

    @Override
    public java.util.Optional<io.pgmlsidecar.planner.bulk.EmbeddingModelFiles> files(String model, Map<String, Object> kwargs) {
        io.pgmlsidecar.ml.store.ModelSource source;
        try {
            source = service.resolve(model);
        } catch (ModelNotFoundException e) {
            return java.util.Optional.empty();
        }
        try {
            var profile = source.profile();
            var options = io.pgmlsidecar.ml.pipelines.EmbedOptions.parse(kwargs, profile);
            boolean quantized = io.pgmlsidecar.ml.onnx.OnnxGraphs.isDynamicallyQuantized(source.onnx());
            int batchSize = quantized ? 1 : options.batchSize() != null ? options.batchSize() : service.config().batchSize();
            return java.util.Optional.of(new io.pgmlsidecar.planner.bulk.EmbeddingModelFiles(source.name(), source.onnx(), source.tokenizer(),
                    profile.maxLength(), profile.padToken(), profile.pooling().stream().map(Enum::name).toList(), profile.normalize(),
                    !profile.unsupportedModules().isEmpty(), options.prompt(), options.truncateDim(), options.normalize(), batchSize));
        } catch (MlException | IllegalArgumentException | java.io.IOException e) {
            throw new PgException(new PgError("ERROR", "38000", "pgml.embed failed: " + firstLine(e.getMessage()),
                    rest(e.getMessage()), "Check the model name and kwargs of pgml.embed.", 0), e);
        }
    }

    @Override
    public int releaseAll() {
        int loaded = service.loadedModels().size();
        service.clearCache();
        return loaded;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String rest(String s) {
        if (s == null) {
            return null;
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? null : s.substring(nl + 1);
    }
}
