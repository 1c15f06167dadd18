package io.pgmlsidecar.ml.transformers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.batch.MicroBatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;

/**
 * Generation calls of concurrent sessions for the same model and arguments run as one batch: while
 * a generation runs, calls queue, and the next run takes all of them (a pipeline batches its inputs,
 * left-padded, with per-row stopping). Results are identical to separate calls: only deterministic
 * decoding (greedy, beam search) is merged; sampling runs alone so each call keeps its own random
 * stream, and conversations are one call each.
 */
final class GenerationCoalescer implements AutoCloseable {
    /** Inputs per merged run: bounds the padded batch's memory. */
    static final int MAX_INPUTS = 16;

    private final Cache<String, MicroBatcher<JsonNode, JsonNode>> batchers = Caffeine.newBuilder()
            .maximumSize(64)
            .executor(Runnable::run)
            .removalListener((String k, MicroBatcher<JsonNode, JsonNode> b, com.github.benmanes.caffeine.cache.RemovalCause c) -> {
                if (b != null) b.close();
            })
            .build();

    /** True when {@code request} may share a run with other callers' requests. */
    static boolean mergeable(TransformRequest request) {
        TransformTask task = request.task().task();
        JsonNode args = request.args();
        boolean sampling = args != null && args.path("do_sample").asBoolean(false);
        return task.generates() && task != TransformTask.CONVERSATIONAL && !sampling && !request.inputs().isEmpty();
    }

    /**
     * Runs {@code request}'s inputs, possibly with other callers' inputs of the same {@code key}
     * (pipeline and arguments), through {@code run} (inputs → the pipeline's per-input outputs).
     */
    JsonNode run(String key, TransformRequest request, BiFunction<List<JsonNode>, JsonNode, JsonNode> run) {
        MicroBatcher<JsonNode, JsonNode> batcher = batchers.get(key, k -> new MicroBatcher<>("generate", MAX_INPUTS, Duration.ZERO,
                items -> {
                    List<JsonNode> perInput = new ArrayList<>(items.size());
                    try {
                        JsonNode out = run.apply(items, request.args());
                        for (int i = 0; i < items.size(); i++) {
                            perInput.add(out.get(i));
                        }
                    } catch (MlException e) {
                        if (items.size() == 1) {
                            throw e;
                        }
                        // one caller's bad input must not fail the others: run each alone, keep each failure for its caller
                        perInput.clear();
                        for (JsonNode item : items) {
                            try {
                                perInput.add(run.apply(List.of(item), request.args()).get(0));
                            } catch (MlException one) {
                                perInput.add(JsonNodeFactory.instance.pojoNode(one));
                            }
                        }
                    }
                    return perInput;
                }));
        try {
            List<JsonNode> mine = batcher.submit(request.inputs()).get();
            ArrayNode out = JsonNodeFactory.instance.arrayNode(mine.size());
            for (JsonNode n : mine) {
                if (n.isPojo() && ((com.fasterxml.jackson.databind.node.POJONode) n).getPojo() instanceof MlException failed) {
                    throw failed;
                }
                out.add(n);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.pgmlsidecar.ml.transformers.generation.GenerationCancelledException(0);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MlException m) {
                throw m;
            }
            throw new MlException("generation failed: " + e.getCause(), e.getCause());
        }
    }

    /** (runs, requests) of every batcher now alive, for tests and metrics. */
    long[] counts() {
        long runs = 0;
        long requests = 0;
        for (MicroBatcher<JsonNode, JsonNode> b : batchers.asMap().values()) {
            runs += b.runs();
            requests += b.requests();
        }
        return new long[] {runs, requests};
    }

    @Override
    public void close() {
        batchers.invalidateAll();
    }
}
