package io.pgmlsidecar.ml.transformers.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.store.ModelLocator;
import io.pgmlsidecar.ml.transformers.TransformRequest;
import io.pgmlsidecar.ml.transformers.TransformService;
import io.pgmlsidecar.ml.transformers.TransformTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** A TransformService over a temp models directory, and small helpers to call it and check numbers. */
final class EncoderFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path models;
    final TransformService service;

    EncoderFixture(Path tmp) {
        this(tmp, null);
    }

    EncoderFixture(Path tmp, ModelLocator locator) {
        this.models = tmp.resolve("models");
        MlConfig config = config(tmp).build();
        this.service = locator == null ? new TransformService(config) : new TransformService(config, locator);
    }

    static MlConfig.Builder config(Path tmp) {
        return MlConfig.builder(Map.of()).hfHome(tmp.resolve("hf")).workDir(tmp.resolve("work")).hubDownload(false)
                .intraOpThreads(1).modelsDir(tmp.resolve("models"));
    }

    /** Runs {@code task} on text inputs; {@code args} is JSON text or null. */
    JsonNode run(String task, String model, String args, String... inputs) {
        List<JsonNode> nodes = new ArrayList<>();
        for (String i : inputs) nodes.add(TextNode.valueOf(i));
        return runNodes(task, model, args, nodes);
    }

    JsonNode runNodes(String task, String model, String args, List<JsonNode> inputs) {
        return service.transform(new TransformRequest(TransformTask.parse(task), model, json(args), inputs));
    }

    static JsonNode json(String s) {
        if (s == null) return null;
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** softmax computed here, in double, independently of the pipeline's. */
    static double[] softmax(double... logits) {
        double max = Arrays.stream(logits).max().orElse(0);
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < e.length; i++) sum += e[i] = Math.exp(logits[i] - max);
        for (int i = 0; i < e.length; i++) e[i] /= sum;
        return e;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static void assertScore(double expected, JsonNode actual) {
        assertEquals(true, actual.isDouble(), "score must be a float: " + actual);
        assertEquals(expected, actual.asDouble(), 1e-5);
    }

    @Override
    public void close() {
        service.close();
    }
}
