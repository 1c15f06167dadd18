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

    /**
     * One batcher per pipeline and arguments, with the batch it runs now (its inputs, by identity), the
     * thread running it and the inputs whose callers gave up; all guarded by the object's lock.
     */
    private static final class Batched {
        MicroBatcher<Item, JsonNode> batcher;
        private List<Item> current;
        private Thread running;
        private final java.util.Set<Item> abandoned = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

        synchronized void started(List<Item> items) {
            current = items;
            running = Thread.currentThread();
        }

        synchronized void finished() {
            current.forEach(abandoned::remove);
            current = null;
            running = null;
            Thread.interrupted(); // an interrupt meant for this batch must not reach the next
        }

        /** A caller gave up on {@code inputs}: when nobody waits for the running batch any more, stop it. */
        synchronized void abandon(List<Item> inputs) {
            abandoned.addAll(inputs);
            if (current != null && abandoned.containsAll(current)) {
                running.interrupt();
            }
        }
    }

    /** One caller's input; a new object per call, so that callers are told apart by identity. */
    private record Item(JsonNode input) {}

    private final Cache<String, Batched> batchers = Caffeine.newBuilder()
            .maximumSize(64)
            .executor(Runnable::run)
            .removalListener((String k, Batched b, com.github.benmanes.caffeine.cache.RemovalCause c) -> {
                if (b != null) b.batcher.close();
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
        if (Thread.currentThread().isInterrupted()) {
            // the generation would run on the batcher's thread, which never sees this caller's interrupt
            throw new io.pgmlsidecar.ml.transformers.generation.GenerationCancelledException(0);
        }
        Batched state = batchers.get(key, k -> {
            Batched b = new Batched();
            b.batcher = new MicroBatcher<>("generate", MAX_INPUTS, Duration.ZERO, items -> generate(b, items, request.args(), run));
            return b;
        });
        List<Item> items = request.inputs().stream().map(Item::new).toList();
        try {
            List<JsonNode> mine = state.batcher.submit(items).get();
            ArrayNode out = JsonNodeFactory.instance.arrayNode(mine.size());
            for (JsonNode n : mine) {
                if (n.isPojo() && ((com.fasterxml.jackson.databind.node.POJONode) n).getPojo() instanceof MlException failed) {
                    throw failed;
                }
                out.add(n);
            }
            return out;
        } catch (InterruptedException e) {
            state.abandon(items);
            Thread.currentThread().interrupt();
            throw new io.pgmlsidecar.ml.transformers.generation.GenerationCancelledException(0);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MlException m) {
                throw m;
            }
            throw new MlException("generation failed: " + e.getCause(), e.getCause());
        }
    }

    /** Runs a merged batch on the batcher's thread; per-input results, a caller's failure kept for that caller. */
    private static List<JsonNode> generate(Batched state, List<Item> items, JsonNode args,
                                           BiFunction<List<JsonNode>, JsonNode, JsonNode> run) {
        state.started(items);
        try {
            return perInput(items.stream().map(Item::input).toList(), args, run);
        } finally {
            state.finished();
        }
    }

    private static List<JsonNode> perInput(List<JsonNode> items, JsonNode args, BiFunction<List<JsonNode>, JsonNode, JsonNode> run) {
        List<JsonNode> perInput = new ArrayList<>(items.size());
        try {
            JsonNode out = run.apply(items, args);
            for (int i = 0; i < items.size(); i++) {
                perInput.add(out.get(i));
            }
        } catch (io.pgmlsidecar.ml.transformers.generation.GenerationCancelledException e) {
            throw e;
        } catch (MlException e) {
            if (items.size() == 1) {
                throw e;
            }
            // one caller's bad input must not fail the others: run each alone, keep each failure for its caller
            perInput.clear();
            for (JsonNode item : items) {
                try {
                    perInput.add(run.apply(List.of(item), args).get(0));
                } catch (io.pgmlsidecar.ml.transformers.generation.GenerationCancelledException c) {
                    throw c;
                } catch (MlException one) {
                    perInput.add(JsonNodeFactory.instance.pojoNode(one));
                }
            }
        }
        return perInput;
    }

    /** (runs, requests) of every batcher now alive, for tests and metrics. */
    long[] counts() {
        long runs = 0;
        long requests = 0;
        for (Batched b : batchers.asMap().values()) {
            runs += b.batcher.runs();
            requests += b.batcher.requests();
        }
        return new long[] {runs, requests};
    }

    @Override
    public void close() {
        batchers.invalidateAll();
    }
}
