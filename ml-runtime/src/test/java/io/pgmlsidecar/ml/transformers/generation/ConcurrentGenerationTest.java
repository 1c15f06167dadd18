package io.pgmlsidecar.ml.transformers.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.transformers.InvalidArgumentsException;
import io.pgmlsidecar.ml.transformers.TransformService;
import io.pgmlsidecar.testmodels.decoders.TinyCausalLm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generation calls of concurrent sessions run as shared batches, with the results each would get alone. */
class ConcurrentGenerationTest {
    private static final String SLOW = "test/tiny-lm-slow";
    private static final List<String> PROMPTS = List.of("one", "go", "two", "go left", "three", "one two", "four", "go right");

    @Test
    void concurrentCallsShareRunsAndGetTheirOwnResults(@TempDir Path tmp) throws Exception {
        Path models = tmp.resolve("models");
        TinyCausalLm.write(models.resolve(SLOW), TinyCausalLm.Layout.MERGED, 256); // each step does real work
        MlConfig config = MlConfig.builder(Map.of()).hfHome(tmp.resolve("hf")).workDir(tmp.resolve("work")).hubDownload(false)
                .intraOpThreads(1).modelsDir(models).build();
        try (TransformService service = new TransformService(config)) {
            String args = "{\"max_new_tokens\": 6}";
            List<JsonNode> alone = new ArrayList<>();
            for (String p : PROMPTS) {
                alone.add(service.transform(TinyGenerationModels.request("text-generation", SLOW, args, TinyGenerationModels.texts(p))));
            }
            long[] before = service.mergedGenerationCounts();
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<JsonNode>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (String p : PROMPTS) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        return service.transform(TinyGenerationModels.request("text-generation", SLOW, args, TinyGenerationModels.texts(p)));
                    }));
                }
            }
            start.countDown();
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(alone.get(i % PROMPTS.size()), futures.get(i).get(), "call " + i + " got what it gets alone");
            }
            pool.shutdown();
            long[] after = service.mergedGenerationCounts();
            long runs = after[0] - before[0];
            long requests = after[1] - before[1];
            assertEquals(futures.size(), requests);
            assertTrue(runs < requests, "concurrent calls shared runs: " + runs + " runs for " + requests + " calls");
        }
    }

    @Test
    void oneCallersBadInputFailsOnlyThatCaller(@TempDir Path tmp) throws Exception {
        Path models = tmp.resolve("models");
        TinyCausalLm.write(models.resolve(SLOW), TinyCausalLm.Layout.MERGED, 256);
        MlConfig config = MlConfig.builder(Map.of()).hfHome(tmp.resolve("hf")).workDir(tmp.resolve("work")).hubDownload(false)
                .intraOpThreads(1).modelsDir(models).build();
        // more tokens than the model's positions: refused, and when merged with good calls only its caller sees it
        String longPrompt = String.join(" ", java.util.Collections.nCopies(TinyCausalLm.MAX_POSITIONS + 4, "one"));
        try (TransformService service = new TransformService(config)) {
            String args = "{\"max_new_tokens\": 4}";
            JsonNode expected = service.transform(TinyGenerationModels.request("text-generation", SLOW, args, TinyGenerationModels.texts("go")));
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<JsonNode>> good = new ArrayList<>();
            List<Future<JsonNode>> bad = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                good.add(pool.submit(() -> {
                    start.await();
                    return service.transform(TinyGenerationModels.request("text-generation", SLOW, args, TinyGenerationModels.texts("go")));
                }));
                bad.add(pool.submit(() -> {
                    start.await();
                    return service.transform(TinyGenerationModels.request("text-generation", SLOW, args, TinyGenerationModels.texts(longPrompt)));
                }));
            }
            start.countDown();
            for (Future<JsonNode> f : good) {
                assertEquals(expected, f.get());
            }
            for (Future<JsonNode> f : bad) {
                java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class, f::get);
                assertTrue(e.getCause() instanceof InvalidArgumentsException, e.getCause().toString());
            }
            pool.shutdown();
        }
    }

    /** A caller that gives up (interrupt) stops the shared generation when nobody else waits for it. */
    @Test
    void anAbandonedGenerationStops(@TempDir Path tmp) throws Exception {
        Path models = tmp.resolve("models");
        TinyCausalLm.write(models.resolve(SLOW), TinyCausalLm.Layout.MERGED, 1024);
        MlConfig config = MlConfig.builder(Map.of()).hfHome(tmp.resolve("hf")).workDir(tmp.resolve("work")).hubDownload(false)
                .intraOpThreads(1).modelsDir(models).build();
        try (TransformService service = new TransformService(config)) {
            // the end token is banned: every call makes all its steps
            String args = "{\"min_new_tokens\": 40, \"max_new_tokens\": 40}";
            var request = TinyGenerationModels.request("text-generation", SLOW, args, TinyGenerationModels.texts("one"));
            JsonNode expected = service.transform(request);
            long t0 = System.nanoTime();
            service.transform(request);
            long full = System.nanoTime() - t0;

            Thread abandoned = Thread.ofVirtual().start(() -> assertThrows(GenerationCancelledException.class, () -> service.transform(request)));
            Thread.sleep(Math.max(1, full / 5_000_000)); // a fifth of the way in
            abandoned.interrupt();
            abandoned.join();
            long t1 = System.nanoTime();
            assertEquals(expected, service.transform(request));
            long next = System.nanoTime() - t1;
            // had the abandoned generation run on, the next call would wait for its remaining 4/5 first
            assertTrue(next < full * 3 / 2, "the next call took " + next / 1_000_000 + " ms, a full generation " + full / 1_000_000 + " ms");
        }
    }
}
