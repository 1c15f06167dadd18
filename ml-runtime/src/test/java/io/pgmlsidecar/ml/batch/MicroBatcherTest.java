package io.pgmlsidecar.ml.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.ml.MlException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

    @Test
    void requestsQueuedWhileBusyRunTogether() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> calls = new CopyOnWriteArrayList<>();
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 100, Duration.ZERO, items -> {
            calls.add(List.copyOf(items));
            firstStarted.countDown();
            release.await();
            return items.stream().map(i -> i * 10).toList();
        })) {
            CompletableFuture<List<Integer>> first = b.submit(List.of(0));
            assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
            List<CompletableFuture<List<Integer>>> rest = new ArrayList<>();
            for (int i = 1; i <= 10; i++) rest.add(b.submit(List.of(i, i + 100)));
            release.countDown();
            assertEquals(List.of(0), first.get(5, TimeUnit.SECONDS));
            for (int i = 1; i <= 10; i++) assertEquals(List.of(i * 10, (i + 100) * 10), rest.get(i - 1).get(5, TimeUnit.SECONDS));
            assertEquals(2, calls.size(), calls.toString());
            assertEquals(20, calls.get(1).size());
            assertEquals(2, b.runs());
            assertEquals(21, b.itemsRun());
        }
    }

    @Test
    void aBatchThatFailsWithAnErrorFailsItsCallersOnlyAndTheModelGoesOnServing() throws Exception {
        List<Error> errors = List.of(new OutOfMemoryError("Java heap space"), new StackOverflowError(),
                new UnsatisfiedLinkError("no onnxruntime in java.library.path"));
        java.util.concurrent.atomic.AtomicInteger call = new java.util.concurrent.atomic.AtomicInteger();
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 100, Duration.ZERO, items -> {
            int n = call.getAndIncrement();
            if (n % 2 == 0 && n / 2 < errors.size()) {
                throw errors.get(n / 2);
            }
            return items;
        })) {
            for (Error expected : errors) {
                CompletionException e = assertThrows(CompletionException.class, () -> b.submit(List.of(1)).join());
                assertEquals(expected, e.getCause());
                assertEquals(List.of(2), b.submit(List.of(2)).get(5, TimeUnit.SECONDS), "served after " + expected);
            }
        }
    }

    @Test
    void limitsAreRespectedAndRequestsNeverSplit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 5, Duration.ZERO, items -> {
            release.await();
            sizes.add(items.size());
            return items;
        })) {
            List<CompletableFuture<List<Integer>>> fs = new ArrayList<>();
            fs.add(b.submit(List.of(1)));        // runs alone (worker busy with it)
            Thread.sleep(50);
            fs.add(b.submit(List.of(1, 2, 3)));
            fs.add(b.submit(List.of(1, 2)));      // 3 + 2 = 5 fits
            fs.add(b.submit(List.of(1, 2, 3, 4, 5, 6, 7))); // larger than maxItems: alone
            fs.add(b.submit(List.of(1, 2), 2));   // own limit 2
            fs.add(b.submit(List.of(1)));         // cannot join the limit-2 batch
            release.countDown();
            for (CompletableFuture<List<Integer>> f : fs) f.get(5, TimeUnit.SECONDS);
            assertEquals(List.of(1, 5, 7, 2, 1), sizes);
        }
    }

    @Test
    void waitsForAnnouncedCallers() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 100, Duration.ofMillis(500), items -> {
            sizes.add(items.size());
            return items;
        })) {
            MicroBatcher.Arrival late = b.arrive();
            CompletableFuture<List<Integer>> f1 = b.submit(List.of(1));
            Thread.sleep(50);
            CompletableFuture<List<Integer>> f2 = b.submit(List.of(2));
            late.close();
            f1.get(5, TimeUnit.SECONDS);
            f2.get(5, TimeUnit.SECONDS);
            assertEquals(List.of(2), sizes);
            // nobody announced: no waiting
            long t0 = System.nanoTime();
            b.submit(List.of(3)).get(5, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(400));
        }
    }

    @Test
    void failuresReachEveryCallerOfTheBatchAndTheWorkerSurvives() throws Exception {
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 10, Duration.ZERO, items -> {
            if (items.contains(-1)) throw new MlException("boom");
            return items;
        })) {
            CompletionException e = assertThrows(CompletionException.class, () -> b.submit(List.of(-1)).join());
            assertInstanceOf(MlException.class, e.getCause());
            assertEquals(List.of(4), b.submit(List.of(4)).get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void closedBatcherRejects() {
        MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 10, Duration.ZERO, items -> items);
        b.close();
        CompletionException e = assertThrows(CompletionException.class, () -> b.submit(List.of(1)).join());
        assertTrue(e.getCause().getMessage().contains("unloaded"));
    }
}
