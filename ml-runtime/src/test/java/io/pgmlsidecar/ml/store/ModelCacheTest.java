package io.pgmlsidecar.ml.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.ml.ModelNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The loaded-model cache: one load for concurrent callers, and a failed load reported to each of them as itself. */
class ModelCacheTest {

    private static final class Loaded extends CachedModel {
        @Override
        public long weightBytes() {
            return 1;
        }

        @Override
        protected void doClose() {}
    }

    @Test
    void concurrentCallersOfAFailingLoadAllGetItsError() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch slow = new CountDownLatch(1);
        ModelNotFoundException missing = new ModelNotFoundException("acme/missing", List.of("nowhere"), "place it");
        try (ModelCache<Loaded> cache = new ModelCache<>(1 << 20, key -> {
            loads.incrementAndGet();
            try {
                slow.await(); // keep the load running while the others arrive
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw missing;
        })) {
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<Throwable>> callers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                callers.add(pool.submit(() -> {
                    try {
                        cache.use("acme/missing", m -> m);
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            Thread.sleep(200);
            slow.countDown();
            for (Future<Throwable> f : callers) {
                assertSame(missing, f.get(), "every caller gets the loader's own exception, not a cancellation");
            }
            pool.shutdown();
            assertTrue(loads.get() >= 1 && loads.get() <= 8);
        }
        // a later call tries again: failures are not cached
        AtomicInteger later = new AtomicInteger();
        try (ModelCache<Loaded> cache = new ModelCache<>(1 << 20, key -> {
            if (later.incrementAndGet() == 1) throw missing;
            return new Loaded();
        })) {
            try {
                cache.use("m", m -> m);
            } catch (ModelNotFoundException e) {
                assertSame(missing, e);
            }
            assertEquals(1L, (long) cache.use("m", m -> 1L));
        }
    }

    /**
     * A load that runs out of memory half way (the JVM's OutOfMemoryError, as a model too large for the heap raises)
     * reaches the caller as itself, and leaves nothing cached: the model is neither listed as loaded nor served
     * half-made; the next call loads it afresh.
     */
    @Test
    void aLoadThatRunsOutOfMemoryIsNotCached() {
        AtomicInteger loads = new AtomicInteger();
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        try (ModelCache<Loaded> cache = new ModelCache<>(1 << 20, key -> {
            if (loads.incrementAndGet() == 1) throw oom;
            return new Loaded();
        })) {
            OutOfMemoryError thrown = org.junit.jupiter.api.Assertions.assertThrows(OutOfMemoryError.class,
                    () -> cache.use("acme/big", m -> m));
            assertSame(oom, thrown);
            assertTrue(cache.loaded().isEmpty(), "nothing half-loaded is cached: " + cache.loaded());
            assertEquals(1L, (long) cache.use("acme/big", m -> 1L));
            assertEquals(2, loads.get(), "the next call loaded it again");
            assertEquals(1, cache.loaded().size());
        }
    }
}
