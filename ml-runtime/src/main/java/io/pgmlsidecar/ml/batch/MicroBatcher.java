package io.pgmlsidecar.ml.batch;

import io.pgmlsidecar.ml.MlException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges the requests of concurrent callers into fewer, larger calls of a {@link Runner} (one model's
 * inference). One worker thread per batcher takes queued requests in order and runs as many together
 * as fit in {@code maxItems} (a request is never split; one larger than {@code maxItems} runs alone).
 *
 * <p>Batching costs an idle caller nothing: while the runner is busy, requests queue up and are all
 * taken by the next call. The worker waits (at most {@code maxWait}) for more only while other callers
 * have {@linkplain #arrive() announced} that they are about to submit, e.g. while they tokenize, so
 * the first call of a burst is not run half-empty.
 *
 * @param <I> item type (e.g. a tokenized text)
 * @param <O> result per item (e.g. a vector)
 */
public final class MicroBatcher<I, O> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MicroBatcher.class);

    /** Runs one merged batch; returns exactly one result per item, in order. */
    @FunctionalInterface
    public interface Runner<I, O> {
        List<O> run(List<I> items) throws Exception;
    }

    /** A caller's announcement that it will submit soon; close it once submitted (or abandoned). */
    public interface Arrival extends AutoCloseable {
        @Override
        void close();
    }

    private record Request<I, O>(List<I> items, int limit, CompletableFuture<List<O>> result) {}

    private final String name;
    private final Runner<I, O> runner;
    private final int maxItems;
    private final long maxWaitNanos;
    private final LinkedBlockingDeque<Request<I, O>> queue = new LinkedBlockingDeque<>();
    private final AtomicInteger arriving = new AtomicInteger();
    private final LongAdder runs = new LongAdder();
    private final LongAdder itemsRun = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final Thread worker;
    private volatile boolean closed;
    private int limit; // of the batch being assembled (worker thread only)

    /** The batchers alive now, held weakly, for the queue-depth gauge and the admin console. */
    private static final java.util.Set<MicroBatcher<?, ?>> LIVE = java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));
    private static final java.util.Set<String> GAUGED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** One batcher as the admin console lists it. */
    public record Stats(String name, int queuedRequests, long runs, long itemsRun, long requests) {}

    public static java.util.List<Stats> live() {
        synchronized (LIVE) {
            return LIVE.stream().map(b -> new Stats(b.name, b.queue.size(), b.runs(), b.itemsRun(), b.requests()))
                    .sorted(java.util.Comparator.comparing(Stats::name)).toList();
        }
    }

    private static double queuedFor(String name) {
        synchronized (LIVE) {
            return LIVE.stream().filter(b -> b.name.equals(name)).mapToInt(b -> b.queue.size()).sum();
        }
    }

    public MicroBatcher(String name, int maxItems, Duration maxWait, Runner<I, O> runner) {
        if (maxItems < 1) throw new IllegalArgumentException("maxItems must be >= 1");
        LIVE.add(this);
        if (GAUGED.add(name)) {
            // one series per batcher name (a model): requests waiting for the worker
            io.micrometer.core.instrument.Gauge.builder("pgml.microbatch.queue.depth", name, MicroBatcher::queuedFor)
                    .description("requests queued in a micro-batcher, waiting for its worker").tag("batcher", name)
                    .register(io.micrometer.core.instrument.Metrics.globalRegistry);
        }
        this.name = name;
        this.runner = runner;
        this.maxItems = maxItems;
        this.maxWaitNanos = Math.max(0, maxWait.toNanos());
        this.worker = Thread.ofPlatform().daemon().name("pgml-batch-" + name).unstarted(this::loop);
        worker.start();
    }

    /** Announces an upcoming {@link #submit}; the worker may wait a little for it. */
    public Arrival arrive() {
        arriving.incrementAndGet();
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) arriving.decrementAndGet();
        };
    }

    /** Queues {@code items} to run together (possibly with other callers' items, up to {@code maxItems}). */
    public CompletableFuture<List<O>> submit(List<I> items) {
        return submit(items, maxItems);
    }

    /**
     * Queues {@code items} to run together, in a call of at most {@code limit} items (and at most
     * {@code maxItems}): other callers' items join only while the total stays within every member's limit.
     */
    public CompletableFuture<List<O>> submit(List<I> items, int limit) {
        CompletableFuture<List<O>> f = new CompletableFuture<>();
        if (items.isEmpty()) {
            f.complete(List.of());
            return f;
        }
        if (closed) {
            f.completeExceptionally(new MlException("model '" + name + "' was unloaded"));
            return f;
        }
        requests.increment();
        queue.add(new Request<>(List.copyOf(items), Math.max(1, limit), f));
        if (closed) drainFailed(); // raced with close()
        return f;
    }

    /** Number of runner calls so far. */
    public long runs() {
        return runs.sum();
    }

    /** Items run so far. */
    public long itemsRun() {
        return itemsRun.sum();
    }

    /** Requests submitted so far. */
    public long requests() {
        return requests.sum();
    }

    private void loop() {
        List<Request<I, O>> batch = new ArrayList<>();
        while (true) {
            Request<I, O> first;
            try {
                first = queue.pollFirst(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (closed) break;
                continue;
            }
            if (first == null) {
                if (closed) break;
                continue;
            }
            batch.clear();
            batch.add(first);
            int n = first.items().size();
            limit = Math.min(maxItems, first.limit());
            n = drain(batch, n);
            if (maxWaitNanos > 0 && n < limit && arriving.get() > 0) {
                long deadline = System.nanoTime() + maxWaitNanos;
                while (n < limit && arriving.get() > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    Request<I, O> r;
                    try {
                        r = queue.pollFirst(Math.min(left, 100_000L), TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        break;
                    }
                    if (r == null) continue;
                    if (!fits(r, n)) {
                        queue.addFirst(r);
                        break;
                    }
                    batch.add(r);
                    limit = Math.min(limit, r.limit());
                    n += r.items().size();
                    n = drain(batch, n);
                }
            }
            execute(batch, n);
        }
        drainFailed();
    }

    private boolean fits(Request<I, O> r, int n) {
        return n + r.items().size() <= Math.min(limit, r.limit());
    }

    /** Takes queued requests while they fit. Only the worker removes from the head, so peek-then-poll is safe. */
    private int drain(List<Request<I, O>> batch, int n) {
        Request<I, O> r;
        while (n < limit && (r = queue.peekFirst()) != null && fits(r, n)) {
            queue.pollFirst();
            batch.add(r);
            limit = Math.min(limit, r.limit());
            n += r.items().size();
        }
        return n;
    }

    private void execute(List<Request<I, O>> batch, int n) {
        List<I> items;
        if (batch.size() == 1) {
            items = batch.get(0).items();
        } else {
            items = new ArrayList<>(n);
            for (Request<I, O> r : batch) items.addAll(r.items());
        }
        List<O> out;
        try {
            out = runner.run(items);
            if (out.size() != items.size()) {
                throw new MlException("batch runner returned " + out.size() + " results for " + items.size() + " items");
            }
        } catch (Throwable t) {
            for (Request<I, O> r : batch) r.result().completeExceptionally(t);
            // any failure, an Error too (out of memory, a stack overflow, a native library that fails to link), is
            // this batch's and its callers have it: the worker goes on, or every later caller of the model would wait
            // for ever on a queue nobody takes from (OutOfMemoryTest found it with an OutOfMemoryError)
            return;
        } finally {
            runs.increment();
            itemsRun.add(items.size());
        }
        int off = 0;
        for (Request<I, O> r : batch) {
            int k = r.items().size();
            r.result().complete(batch.size() == 1 ? out : List.copyOf(out.subList(off, off + k)));
            off += k;
        }
    }

    private void drainFailed() {
        Request<I, O> r;
        while ((r = queue.pollFirst()) != null) {
            r.result().completeExceptionally(new MlException("model '" + name + "' was unloaded"));
        }
    }

    /** Stops the worker after the requests already queued; later submits fail. */
    @Override
    public void close() {
        closed = true;
        LIVE.remove(this);
        if (Thread.currentThread() == worker) return; // the loop ends by itself
        try {
            worker.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) log.warn("batch worker {} still busy after close", name);
        drainFailed();
    }
}
