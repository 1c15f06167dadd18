package io.pgmlsidecar.ml.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.pipelines.Vectors;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Micro-batching of concurrent callers on a real model, and in-process throughput (printed, loosely checked). */
class BatchingAndThroughputTest {
    static final String MINILM = "sentence-transformers/all-MiniLM-L6-v2";

    @TempDir
    static Path tmp;
    static EmbeddingService svc;

    @BeforeAll
    static void start() {
        svc = new EmbeddingService(BundledModels.config(tmp).maxBatchWait(Duration.ofMillis(5)).build());
        svc.load(MINILM);
    }

    @AfterAll
    static void stop() {
        svc.close();
    }

    static List<String> corpus(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String s = BundledModels.SENTENCES.get(i % BundledModels.SENTENCES.size());
            out.add(s + " (document " + i + ")");
        }
        return out;
    }

    @Test
    void concurrentCallersShareInferenceCallsAndGetUnbatchedResults() throws Exception {
        int callers = 8;
        List<String> texts = corpus(callers * 3);
        List<float[]> single = new ArrayList<>();
        for (String t : texts) single.add(svc.embed(MINILM, t, Map.of()));

        long before = svc.info(MINILM).orElseThrow().inferenceCalls();
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CyclicBarrier start = new CyclicBarrier(callers);
            List<Future<float[][]>> fs = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                final int from = c * 3;
                fs.add(pool.submit(() -> {
                    start.await();
                    float[][] r = new float[3][];
                    for (int k = 0; k < 3; k++) r[k] = svc.embed(MINILM, texts.get(from + k), Map.of()); // 3 calls each
                    return r;
                }));
            }
            for (int c = 0; c < callers; c++) {
                float[][] r = fs.get(c).get(60, TimeUnit.SECONDS);
                for (int k = 0; k < 3; k++) {
                    double cos = Vectors.cosine(single.get(c * 3 + k), r[k]);
                    assertTrue(cos >= 0.9999, "cosine " + cos);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        long calls = svc.info(MINILM).orElseThrow().inferenceCalls() - before;
        System.out.println("batching: " + callers * 3 + " single-text calls from " + callers + " threads -> " + calls
                + " inference calls");
        assertTrue(calls < callers * 3, "no batching happened: " + calls + " calls");
    }

    @Test
    void throughput() {
        List<String> texts = corpus(256);
        svc.embed(MINILM, texts.subList(0, 64), Map.of()); // warm-up
        long t0 = System.nanoTime();
        float[][] out = svc.embed(MINILM, texts, Map.of());
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals(texts.size(), out.length);
        System.out.printf("perf: %s fp32, %d texts (~20 tokens) in batches of 32: %.0f texts/s%n", MINILM, texts.size(),
                texts.size() / secs);

        int n = 50;
        long s0 = System.nanoTime();
        for (int i = 0; i < n; i++) svc.embed(MINILM, texts.get(i), Map.of());
        double ms = (System.nanoTime() - s0) / 1e6 / n;
        System.out.printf("perf: %s fp32 single-text latency: %.2f ms%n", MINILM, ms);

        for (String m : List.of("sentence-transformers/all-MiniLM-L6-v2-q", "BAAI/bge-small-en-v1.5")) {
            long l0 = System.nanoTime();
            svc.load(m);
            double loadMs = (System.nanoTime() - l0) / 1e6;
            svc.embed(m, texts.subList(0, 8), Map.of());
            long b0 = System.nanoTime();
            svc.embed(m, texts.subList(0, 64), Map.of());
            double rate = 64 / ((System.nanoTime() - b0) / 1e9);
            long q0 = System.nanoTime();
            for (int i = 0; i < 20; i++) svc.embed(m, texts.get(i), Map.of());
            double lat = (System.nanoTime() - q0) / 1e6 / 20;
            System.out.printf("perf: %-42s load %.0f ms, %.0f texts/s (batch size %d), single-text %.2f ms%n", m, loadMs,
                    rate, svc.info(m).orElseThrow().batchSize(), lat);
            svc.evict(m);
        }
        assertTrue(texts.size() / secs > 20, "MiniLM throughput implausibly low");
    }
}
