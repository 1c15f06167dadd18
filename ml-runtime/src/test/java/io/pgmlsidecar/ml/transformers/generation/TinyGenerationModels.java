package io.pgmlsidecar.ml.transformers.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.onnx.Device;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.store.ModelLocator;
import io.pgmlsidecar.ml.transformers.PipelineContext;
import io.pgmlsidecar.ml.transformers.TransformRequest;
import io.pgmlsidecar.ml.transformers.TransformService;
import io.pgmlsidecar.ml.transformers.TransformTask;
import io.pgmlsidecar.testmodels.decoders.TinyCausalLm;
import io.pgmlsidecar.testmodels.decoders.TinySeq2Seq;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The tiny generative models written into a models directory, and a TransformService over them. */
final class TinyGenerationModels implements AutoCloseable {
    static final String LM = "test/tiny-lm", LM_SINGLE = "test/tiny-lm-single", LM_SPLIT = "test/tiny-lm-split",
            T5 = "test/tiny-t5", T5_MERGED = "test/tiny-t5-merged";
    static final ObjectMapper JSON = new ObjectMapper();

    final MlConfig config;
    final TransformService service;

    TinyGenerationModels(Path tmp) {
        try {
            Path models = tmp.resolve("models");
            TinyCausalLm.write(models.resolve(LM), TinyCausalLm.Layout.MERGED);
            TinyCausalLm.write(models.resolve(LM_SINGLE), TinyCausalLm.Layout.SINGLE);
            TinyCausalLm.write(models.resolve(LM_SPLIT), TinyCausalLm.Layout.SPLIT);
            TinySeq2Seq.write(models.resolve(T5));
            TinySeq2Seq.write(models.resolve(T5_MERGED), true);
            config = MlConfig.builder(Map.of()).hfHome(tmp.resolve("hf")).workDir(tmp.resolve("work")).hubDownload(false)
                    .intraOpThreads(1).modelsDir(models).build();
            service = new TransformService(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A pipeline opened directly (to read how many tokens the decoder was fed). */
    GenerativePipeline open(String task, String model) {
        PipelineContext context = new PipelineContext(config, ModelLocator.standard(config), new OrtSessions(Device.CPU, 1));
        return GenerativePipeline.open(TransformTask.parse(task), model, context);
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> texts(String... inputs) {
        List<JsonNode> out = new ArrayList<>();
        for (String s : inputs) out.add(TextNode.valueOf(s));
        return out;
    }

    static TransformRequest request(String task, String model, String args, List<JsonNode> inputs) {
        return new TransformRequest(TransformTask.parse(task), model, args == null ? JsonNodeFactory.instance.objectNode() : json(args), inputs);
    }

    JsonNode transform(String task, String model, String args, String... inputs) {
        return service.transform(request(task, model, args, texts(inputs)));
    }

    /** The streamed increments, one list per step. */
    List<List<String>> stream(String task, String model, String args, List<JsonNode> inputs) {
        List<List<String>> steps = new ArrayList<>();
        service.stream(request(task, model, args, inputs), steps::add);
        return steps;
    }

    @Override
    public void close() {
        service.close();
    }
}
