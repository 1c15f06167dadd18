package io.pgmlsidecar.ml.remote;

import io.pgmlsidecar.ml.remote.PendingUnit.Input;
import io.pgmlsidecar.ml.remote.PendingUnit.Single;
import io.pgmlsidecar.ml.remote.RemoteCallException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends every request to one endpoint, for all sessions of the sidecar. Callers block (on their own,
 * usually virtual, threads) while one dispatcher thread per endpoint decides what goes out when:
 * <ul>
 *   <li>at most {@code maxConcurrency} requests in flight and {@code requestsPerSecond} started per second;</li>
 *   <li>inputs of batchable calls (embeddings, infer) from any number of callers are merged into requests
 *       of up to {@code maxBatchSize} distinct inputs; an input waits at most {@code batchLinger} for company,
 *       and identical inputs are sent once;</li>
 *   <li>a retryable failure queues the work again (after the caller's retry delay or the endpoint's
 *       Retry-After) while the caller has attempts and time left; a 429 pauses the whole endpoint
 *       ({@link RateLimitPause}), so that callers do not each hammer it.</li>
 * </ul>
 * Each endpoint has its own dispatcher and each request its own virtual thread, so a slow endpoint holds
 * up only its own callers.
 */
final class EndpointScheduler implements AutoCloseable {

    /** One attempt of a single request; {@code timeout} null means none. */
    @FunctionalInterface
    interface Attempt<T> {
        T send(Duration timeout);
    }

    /** One attempt of a batched request: one result per input, in order. */
    @FunctionalInterface
    interface BatchSender<O> {
        List<O> send(List<String> inputs, Duration timeout);
    }

    private final EndpointMetrics metrics;
    private final ScheduledExecutorService retryTimer;
    private final RateLimitPause pause;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Set<PendingCall> live = ConcurrentHashMap.newKeySet();
    private final Thread dispatcher;
    private volatile Endpoint endpoint;
    private volatile RateLimiter rateLimiter;
    // guarded by lock:
    private final WorkQueue queue = new WorkQueue();
    private int inFlight;
    private boolean closed;

    EndpointScheduler(Endpoint endpoint, EndpointMetrics metrics, ScheduledExecutorService retryTimer) {
        this.endpoint = endpoint;
        this.rateLimiter = new RateLimiter(endpoint.requestsPerSecond());
        this.metrics = metrics;
        this.retryTimer = retryTimer;
        this.pause = new RateLimitPause(metrics::pause);
        metrics.gaugeQueue(this::queued);
        this.dispatcher = Thread.ofVirtual().name("pgml-remote-" + endpoint.name()).start(this::dispatchLoop);
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** Takes a changed description of the same endpoint (a rotated key, new limits) for the requests still to go. */
    void update(Endpoint changedEndpoint) {
        lock.lock();
        try {
            if (changedEndpoint.requestsPerSecond() != endpoint.requestsPerSecond()) {
                rateLimiter = new RateLimiter(changedEndpoint.requestsPerSecond());
            }
            endpoint = changedEndpoint;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Runs a single request (retried per {@code options}) and waits for its result. */
    @SuppressWarnings("unchecked")
    <T> T call(Attempt<T> attempt, CallOptions options) {
        PendingCall call = new PendingCall(options, 1);
        enqueue(call, List.of(new Single(call, attempt)));
        return (T) await(call)[0];
    }

    /**
     * Runs {@code inputs} through {@code sender}, merged with other callers' inputs of the same
     * {@code batchKey}; returns one result per input in order (null for a null input, which is not sent).
     */
    @SuppressWarnings("unchecked")
    <O> List<O> callBatched(Object batchKey, BatchSender<O> sender, List<String> inputs, CallOptions options) {
        Map<String, Integer> distinct = new LinkedHashMap<>();
        int[] partOf = new int[inputs.size()];
        int nonNull = 0;
        for (int i = 0; i < inputs.size(); i++) {
            String text = inputs.get(i);
            partOf[i] = text == null ? -1 : distinct.computeIfAbsent(text, t -> distinct.size());
            if (text != null) nonNull++;
        }
        metrics.deduplicated(nonNull - distinct.size());
        if (distinct.isEmpty()) return Arrays.asList((O[]) new Object[inputs.size()]);
        PendingCall call = new PendingCall(options, distinct.size());
        List<PendingUnit> units = new ArrayList<>(distinct.size());
        distinct.forEach((text, part) -> units.add(new Input(call, batchKey, sender, text, part)));
        enqueue(call, units);
        Object[] parts = await(call);
        List<O> results = new ArrayList<>(inputs.size());
        for (int p : partOf) results.add(p < 0 ? null : (O) parts[p]);
        return results;
    }

    private void enqueue(PendingCall call, List<PendingUnit> units) {
        lock.lock();
        try {
            if (closed) throw RemoteErrors.cancelled(endpoint);
            live.add(call);
            call.done.whenComplete((r, e) -> live.remove(call));
            queue.addAll(units);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private Object[] await(PendingCall call) {
        try {
            if (call.deadline == PendingCall.NO_DEADLINE) return call.done.get();
            return call.done.get(call.deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RemoteCallException r ? r : unexpected(e.getCause());
        } catch (TimeoutException e) {
            RemoteCallException late = RemoteErrors.deadline(endpoint, call.options.deadline());
            call.fail(late); // its queued units are dropped by the dispatcher
            throw late;
        } catch (InterruptedException e) {
            RemoteCallException cancelled = RemoteErrors.cancelled(endpoint);
            call.fail(cancelled);
            Thread.currentThread().interrupt();
            throw cancelled;
        }
    }

    // ---- the dispatcher ----

    private void dispatchLoop() {
        try {
            while (awaitSendable()) {
                rateLimiter.acquire(); // outside the lock: callers keep queueing meanwhile
                List<PendingUnit> units = takeNext();
                if (units != null) Thread.ofVirtual().name("pgml-remote-" + endpoint.name() + "-request").start(() -> send(units));
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Waits until there is work, a free slot and no pause; false once closed. */
    private boolean awaitSendable() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                long paused = pause.remainingNanos();
                if (queue.isEmpty() || inFlight >= endpoint.maxConcurrency()) changed.await();
                else if (paused > 0) changed.awaitNanos(paused);
                else return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the next request's units (waiting out a pause or the batch linger), or null if none is left. */
    private List<PendingUnit> takeNext() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                PendingUnit head = queue.head();
                if (head == null) return null;
                long paused = pause.remainingNanos();
                if (paused > 0) {
                    changed.awaitNanos(paused);
                    continue;
                }
                if (head instanceof Input first) {
                    long lingerLeft = first.queuedAt + endpoint.batchLinger().toNanos() - System.nanoTime();
                    if (lingerLeft > 0 && queue.batchable(first, endpoint.maxBatchSize()) < endpoint.maxBatchSize()) {
                        changed.awaitNanos(lingerLeft);
                        continue;
                    }
                }
                inFlight++;
                return queue.takeNext(endpoint.maxBatchSize());
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    // ---- one request ----

    private void send(List<PendingUnit> units) {
        long start = System.nanoTime();
        Runnable handOver = null;
        RemoteCallException failure = null;
        try {
            for (PendingUnit u : units) u.attempts++;
            handOver = exchange(units, attemptTimeout(units, start));
        } catch (RemoteCallException e) {
            failure = e;
        } catch (Throwable t) {
            failure = unexpected(t); // never leave a caller waiting on a request that died
            if (t instanceof Error err) throw err;
        } finally {
            // metrics before results: a caller that has its answer sees its request counted
            metrics.request(System.nanoTime() - start);
            if (failure != null) {
                failed(units, failure);
            } else if (handOver != null) {
                pause.succeeded();
                handOver.run();
            }
            lock.lock();
            try {
                inFlight--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Makes the HTTP exchange; returns what hands the results to the callers. */
    private Runnable exchange(List<PendingUnit> units, Duration timeout) {
        if (units.get(0) instanceof Single single) {
            Object result = single.attempt.send(timeout);
            return () -> single.call.deliver(0, result);
        }
        Map<String, List<Input>> byText = new LinkedHashMap<>();
        for (PendingUnit u : units) byText.computeIfAbsent(((Input) u).text, t -> new ArrayList<>()).add((Input) u);
        List<String> texts = List.copyOf(byText.keySet());
        metrics.batch(texts.size());
        metrics.deduplicated(units.size() - texts.size());
        List<?> results = ((Input) units.get(0)).sender.send(texts, timeout);
        if (results.size() != texts.size()) {
            throw RemoteErrors.malformed(endpoint, 0, results.size() + " results for " + texts.size() + " inputs", null);
        }
        return () -> {
            for (int i = 0; i < texts.size(); i++) {
                for (Input in : byText.get(texts.get(i))) in.call.deliver(in.part, results.get(i));
            }
        };
    }

    /**
     * The longest time any member allows for this attempt (its timeout, cut to its deadline); null when a
     * member sets no bound. Members merged into one request share one HTTP exchange, hence one timeout.
     */
    private static Duration attemptTimeout(List<PendingUnit> units, long now) {
        long longest = 0;
        for (PendingUnit u : units) {
            Duration t = u.call.options.attemptTimeout();
            long bound = t == null ? Long.MAX_VALUE : t.toNanos();
            if (u.call.deadline != PendingCall.NO_DEADLINE) bound = Math.min(bound, u.call.deadline - now);
            if (bound == Long.MAX_VALUE) return null;
            longest = Math.max(longest, bound);
        }
        return Duration.ofNanos(Math.max(longest, TimeUnit.MILLISECONDS.toNanos(1)));
    }

    /** Fails the units' calls, or queues the units again while their calls have attempts and time left. */
    private void failed(List<PendingUnit> units, RemoteCallException e) {
        metrics.error(e.kind());
        Duration serverWait = e.retryAfter().map(RateLimitPause::capped).orElse(null);
        // after a 429 the endpoint-wide pause is the wait, and the work goes straight back in line
        Duration paused = e.kind() == Kind.RATE_LIMITED ? pause.pause(serverWait, units.get(0).call.options.retryDelay()) : null;
        Map<Duration, List<PendingUnit>> byDelay = new LinkedHashMap<>();
        long now = System.nanoTime();
        for (PendingUnit u : units) {
            if (u.call.finished()) continue;
            Duration wait = paused != null ? paused : serverWait != null ? serverWait : u.call.options.retryDelay();
            if (e.retryable() && u.attempts < u.call.options.maxAttempts() && u.call.canWait(now, wait.toNanos())) {
                byDelay.computeIfAbsent(paused != null ? Duration.ZERO : wait, w -> new ArrayList<>()).add(u);
            } else {
                u.call.fail(e.afterAttempts(u.attempts));
            }
        }
        if (byDelay.isEmpty()) return;
        metrics.retry();
        byDelay.forEach((delay, again) -> {
            if (delay.isZero()) {
                requeue(again);
                return;
            }
            try {
                retryTimer.schedule(() -> requeue(again), delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                again.forEach(u -> u.call.fail(RemoteErrors.cancelled(endpoint)));
            }
        });
    }

    private void requeue(List<PendingUnit> units) {
        lock.lock();
        try {
            if (closed) return;
            queue.requeueFirst(units);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private RemoteCallException unexpected(Throwable t) {
        return RemoteErrors.malformed(endpoint, 0, "a reply that could not be read (" + t.getClass().getSimpleName() + ")", null);
    }

    /** Fails every call still waiting and stops the dispatcher; requests in flight end on their own. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        RemoteCallException cancelled = RemoteErrors.cancelled(endpoint);
        for (PendingCall c : live) c.fail(cancelled);
        dispatcher.interrupt();
        metrics.close();
    }
}
