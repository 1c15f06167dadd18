package io.pgmlsidecar.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent callers share inference calls; the cache loads once, evicts by weight and closes safely. */
class ConcurrencyAndCacheTest {
    @TempDir
    Path tmp;
    final TinyModel tiny = new TinyModel(3);

    MlConfig.Builder config(Path models) {
        return MlConfig.builder(Map.of()).modelsDir(models).hfHome(tmp.resolve("hf")).workDir(tmp.resolve("work"))
                .hubDownload(false).intraOpThreads(1);
    }

    @Test
    void concurrentCallersAreBatchedAndGetTheUnbatchedResults() throws Exception {
        Path models = tmp.resolve("models");
        tiny.writeHfLayout(models.resolve("t/m"), false, "mean", true, 64);
        int callers = 16;
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < callers; i++) texts.add("the cat sat on the mat " + "dog ".repeat(i % 5) + (i % 2 == 0 ? "!" : "?"));

        try (EmbeddingService svc = new EmbeddingService(config(models).maxBatchWait(Duration.ofMillis(200)).build())) {
            List<float[]> sequential = new ArrayList<>();
            for (String t : texts) sequential.add(svc.embed("t/m", t, Map.of()));
            long before = svc.info("t/m").orElseThrow().inferenceCalls();
            assertEquals(callers, before);

            ExecutorService pool = Executors.newFixedThreadPool(callers);
            try {
                for (int round = 0; round < 3; round++) {
                    CyclicBarrier start = new CyclicBarrier(callers);
                    List<Future<float[]>> fs = new ArrayList<>();
                    for (String t : texts) {
                        fs.add(pool.submit(() -> {
                            start.await();
                            return svc.embed("t/m", t, Map.of());
                        }));
                    }
                    for (int i = 0; i < callers; i++) {
                        assertArrayEquals(sequential.get(i), fs.get(i).get(30, TimeUnit.SECONDS), 1e-5f);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            long calls = svc.info("t/m").orElseThrow().inferenceCalls() - before;
            // 48 concurrent requests; unbatched they would take 48 calls
            assertTrue(calls <= 3 * callers * 3 / 4, "inference calls for 3 x " + callers + " concurrent callers: " + calls);
            System.out.println("concurrency: " + 3 * callers + " concurrent single-text calls ran in " + calls + " inference calls");
        }
    }

    @Test
    void modelIsLoadedOnceForConcurrentFirstCallers() throws Exception {
        Path models = tmp.resolve("models");
        tiny.writeHfLayout(models.resolve("t/once"), false, "mean", true, 64);
        try (EmbeddingService svc = new EmbeddingService(config(models).build())) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                CyclicBarrier start = new CyclicBarrier(8);
                List<Future<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < 8; i++) fs.add(pool.submit(() -> {
                    start.await();
                    return svc.dimensions("t/once");
                }));
                for (Future<Integer> f : fs) assertEquals(TinyModel.DIM, f.get(30, TimeUnit.SECONDS));
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, svc.loadedModels().size());
        }
    }

    @Test
    void weightBoundEvictsAndClearCacheUnloads() throws Exception {
        Path models = tmp.resolve("models");
        for (String n : List.of("a", "b", "c")) tiny.writeHfLayout(models.resolve("t/" + n), false, "mean", true, 64);
        // each tiny model weighs the 1 MiB minimum: room for two
        try (EmbeddingService svc = new EmbeddingService(config(models).cacheMaxBytes(2L << 20).build())) {
            float[] a = svc.embed("t/a", "cat", Map.of());
            svc.embed("t/b", "cat", Map.of());
            svc.embed("t/c", "cat", Map.of());
            assertTrue(svc.loadedModels().size() <= 2, svc.loadedModels().toString());
            assertArrayEquals(a, svc.embed("t/a", "cat", Map.of()), 1e-6f); // reloads transparently
            String loaded = svc.loadedModels().get(0).name();
            assertTrue(svc.evict(loaded));
            assertFalse(svc.evict(loaded));
            svc.clearCache();
            assertEquals(0, svc.loadedModels().size());
            assertArrayEquals(a, svc.embed("t/a", "cat", Map.of()), 1e-6f);
        }
    }

    @Test
    void evictionDuringUseDoesNotBreakRunningCalls() throws Exception {
        Path models = tmp.resolve("models");
        tiny.writeHfLayout(models.resolve("t/busy"), false, "mean", true, 512);
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 2000; i++) many.add("the cat sat on the mat " + i);
        try (EmbeddingService svc = new EmbeddingService(config(models).batchSize(8).build())) {
            float[] ref = svc.embed("t/busy", "the cat sat on the mat 5", Map.of());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[][]>> fs = new ArrayList<>();
                for (int i = 0; i < 4; i++) fs.add(pool.submit(() -> svc.embed("t/busy", many, Map.of())));
                for (int i = 0; i < 20; i++) {
                    svc.clearCache();
                    Thread.sleep(5);
                }
                for (Future<float[][]> f : fs) {
                    float[][] out = f.get(60, TimeUnit.SECONDS);
                    assertEquals(many.size(), out.length);
                    assertArrayEquals(ref, out[5], 1e-5f);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
