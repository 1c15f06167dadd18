package io.pgmlsidecar.ml.remote;

import io.pgmlsidecar.ml.remote.RemoteCallException.Kind;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 *       Retry-After) while the caller has attempts and time left; a 429 pauses the whole endpoint until its
 *       Retry-After (else an exponential backoff) has passed, so callers do not each hammer it.</li>
 * </ul>
 * Each endpoint has its own dispatcher and each request its own virtual thread, so a slow endpoint holds
 * up only its own callers.
 */
final class EndpointScheduler implements AutoCloseable {
    static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

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

    /** One caller's call; a batched call has one part per distinct input. */
    private static final class Call {
        final CallOptions options;
        final long deadline; // System.nanoTime() based; Long.MAX_VALUE for none
        final CompletableFuture<Object[]> done = new CompletableFuture<>();
        private final Object[] parts;
        private int missing;

        Call(CallOptions options, int parts) {
            this.options = options;
            this.deadline = options.deadline() == null ? Long.MAX_VALUE : System.nanoTime() + options.deadline().toNanos();
            this.parts = new Object[parts];
            this.missing = parts;
        }

        synchronized void deliver(int part, Object result) {
            parts[part] = result;
            if (--missing == 0) done.complete(parts);
        }

        boolean finished() {
            return done.isDone();
        }
    }

    /** Work waiting to be sent: a single request, or one distinct input of a batched call. */
    private abstract static sealed class Unit permits Single, Input {
        final Call call;
        final long queuedAt = System.nanoTime();
        int attempts;

        Unit(Call call) {
            this.call = call;
        }
    }

    private static final class Single extends Unit {
        final Attempt<?> attempt;

        Single(Call call, Attempt<?> attempt) {
            super(call);
            this.attempt = attempt;
        }
    }

    private static final class Input extends Unit {
        final Object batchKey; // inputs merge into one request only when their keys are equal
        final BatchSender<?> sender;
        final String text;
        final int part;

        Input(Call call, Object batchKey, BatchSender<?> sender, String text, int part) {
            super(call);
            this.batchKey = batchKey;
            this.sender = sender;
            this.text = text;
            this.part = part;
        }
    }

    private final EndpointMetrics metrics;
    private final ScheduledExecutorService timer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Unit> queue = new ArrayDeque<>();
    private final Set<Call> live = ConcurrentHashMap.newKeySet();
    private final Thread dispatcher;
    private volatile Endpoint endpoint;
    private volatile RateLimiter rateLimiter;
    // guarded by lock:
    private int inFlight;
    private long pausedUntil = System.nanoTime();
    private int rateLimitStreak;
    private boolean closed;

    EndpointScheduler(Endpoint endpoint, EndpointMetrics metrics, ScheduledExecutorService timer) {
        this.endpoint = endpoint;
        this.rateLimiter = new RateLimiter(endpoint.requestsPerSecond());
        this.metrics = metrics;
        this.timer = timer;
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
        Call call = new Call(options, 1);
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
        Call call = new Call(options, distinct.size());
        List<Unit> units = new ArrayList<>(distinct.size());
        distinct.forEach((text, part) -> units.add(new Input(call, batchKey, sender, text, part)));
        enqueue(call, units);
        Object[] parts = await(call);
        List<O> results = new ArrayList<>(inputs.size());
        for (int p : partOf) results.add(p < 0 ? null : (O) parts[p]);
        return results;
    }

    private void enqueue(Call call, List<Unit> units) {
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

    private Object[] await(Call call) {
        try {
            if (call.deadline == Long.MAX_VALUE) return call.done.get();
            return call.done.get(call.deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RemoteCallException r ? r : unexpected(e.getCause());
        } catch (TimeoutException e) {
            RemoteCallException late = RemoteErrors.deadline(endpoint, call.options.deadline());
            call.done.completeExceptionally(late); // its queued units are dropped by the dispatcher
            throw late;
        } catch (InterruptedException e) {
            RemoteCallException cancelled = RemoteErrors.cancelled(endpoint);
            call.done.completeExceptionally(cancelled);
            Thread.currentThread().interrupt();
            throw cancelled;
        }
    }

    // ---- the dispatcher ----

    private void dispatchLoop() {
        try {
            while (awaitSendable()) {
                rateLimiter.acquire(); // outside the lock: callers keep queueing meanwhile
                List<Unit> units = takeNext();
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
                dropFinished();
                long pause = pausedUntil - System.nanoTime();
                if (queue.isEmpty() || inFlight >= endpoint.maxConcurrency()) changed.await();
                else if (pause > 0) changed.awaitNanos(pause);
                else return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the next request's units (waiting out a pause or the batch linger), or null if none is left. */
    private List<Unit> takeNext() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                dropFinished();
                Unit head = queue.peekFirst();
                if (head == null) return null;
                long now = System.nanoTime();
                if (pausedUntil - now > 0) {
                    changed.awaitNanos(pausedUntil - now);
                    continue;
                }
                List<Unit> units;
                if (head instanceof Input first) {
                    long lingerLeft = first.queuedAt + endpoint.batchLinger().toNanos() - now;
                    if (lingerLeft > 0 && batchable(first) < endpoint.maxBatchSize()) {
                        changed.awaitNanos(lingerLeft);
                        continue;
                    }
                    units = takeBatch(first);
                } else {
                    units = List.of(queue.pollFirst());
                }
                inFlight++;
                return units;
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Distinct queued inputs that could share {@code first}'s request, counted up to the batch size. */
    private int batchable(Input first) {
        int max = endpoint.maxBatchSize();
        Set<String> texts = new HashSet<>();
        for (Unit u : queue) {
            if (u instanceof Input in && in.batchKey.equals(first.batchKey) && texts.add(in.text) && texts.size() >= max) break;
        }
        return texts.size();
    }

    /** Removes and returns the queued inputs that go with {@code first}: up to the batch size of distinct texts. */
    private List<Unit> takeBatch(Input first) {
        int max = endpoint.maxBatchSize();
        Set<String> texts = new HashSet<>();
        List<Unit> taken = new ArrayList<>();
        for (Iterator<Unit> it = queue.iterator(); it.hasNext(); ) {
            if (!(it.next() instanceof Input in) || !in.batchKey.equals(first.batchKey)) continue;
            if (!texts.contains(in.text)) {
                if (texts.size() == max) break;
                texts.add(in.text);
            }
            it.remove();
            taken.add(in);
        }
        return taken;
    }

    private void dropFinished() {
        queue.removeIf(u -> u.call.finished());
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

    private void send(List<Unit> units) {
        long start = System.nanoTime();
        try {
            for (Unit u : units) u.attempts++;
            Duration timeout = attemptTimeout(units, start);
            if (units.get(0) instanceof Single single) {
                single.call.deliver(0, single.attempt.send(timeout));
            } else {
                sendBatch(units, timeout);
            }
            succeeded();
        } catch (RemoteCallException e) {
            failed(units, e);
        } catch (RuntimeException e) {
            failed(units, unexpected(e));
        } finally {
            metrics.request(System.nanoTime() - start);
            lock.lock();
            try {
                inFlight--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void sendBatch(List<Unit> units, Duration timeout) {
        Map<String, List<Input>> byText = new LinkedHashMap<>();
        for (Unit u : units) byText.computeIfAbsent(((Input) u).text, t -> new ArrayList<>()).add((Input) u);
        List<String> texts = List.copyOf(byText.keySet());
        metrics.batch(texts.size());
        metrics.deduplicated(units.size() - texts.size());
        List<?> results = ((Input) units.get(0)).sender.send(texts, timeout);
        if (results.size() != texts.size()) {
            throw RemoteErrors.malformed(endpoint, 0, results.size() + " results for " + texts.size() + " inputs", null);
        }
        for (int i = 0; i < texts.size(); i++) {
            for (Input in : byText.get(texts.get(i))) in.call.deliver(in.part, results.get(i));
        }
    }

    /**
     * The longest time any member allows for this attempt (its timeout, cut to its deadline); null when a
     * member sets no bound. Members merged into one request share one HTTP exchange, hence one timeout.
     */
    private static Duration attemptTimeout(List<Unit> units, long now) {
        long longest = 0;
        for (Unit u : units) {
            Duration t = u.call.options.attemptTimeout();
            long bound = t == null ? Long.MAX_VALUE : t.toNanos();
            if (u.call.deadline != Long.MAX_VALUE) bound = Math.min(bound, u.call.deadline - now);
            if (bound == Long.MAX_VALUE) return null;
            longest = Math.max(longest, bound);
        }
        return Duration.ofNanos(Math.max(longest, TimeUnit.MILLISECONDS.toNanos(1)));
    }

    private void succeeded() {
        lock.lock();
        try {
            rateLimitStreak = 0;
        } finally {
            lock.unlock();
        }
    }

    private void failed(List<Unit> units, RemoteCallException e) {
        metrics.error(e.kind());
        // after a 429 the endpoint-wide pause is the wait, and the work goes straight back in line
        Duration pause = e.kind() == Kind.RATE_LIMITED ? pauseEndpoint(e, units.get(0).call.options.retryDelay()) : null;
        Map<Duration, List<Unit>> byWait = new LinkedHashMap<>();
        long now = System.nanoTime();
        for (Unit u : units) {
            if (u.call.finished()) continue;
            Duration wait = pause != null ? pause : e.retryAfter().map(EndpointScheduler::capped).orElse(u.call.options.retryDelay());
            boolean canRetry = e.retryable() && u.attempts < u.call.options.maxAttempts()
                    && (u.call.deadline == Long.MAX_VALUE || u.call.deadline - now > wait.toNanos());
            if (canRetry) byWait.computeIfAbsent(pause != null ? Duration.ZERO : wait, w -> new ArrayList<>()).add(u);
            else u.call.done.completeExceptionally(e.afterAttempts(u.attempts));
        }
        if (byWait.isEmpty()) return;
        metrics.retry();
        byWait.forEach((wait, again) -> {
            if (wait.isZero()) {
                requeue(again);
                return;
            }
            try {
                timer.schedule(() -> requeue(again), wait.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                again.forEach(u -> u.call.done.completeExceptionally(RemoteErrors.cancelled(endpoint)));
            }
        });
    }

    /** Pauses every caller of the endpoint after a 429; returns the pause. */
    private Duration pauseEndpoint(RemoteCallException e, Duration retryDelay) {
        lock.lock();
        try {
            long now = System.nanoTime();
            boolean alreadyPaused = pausedUntil - now > 0; // answers to requests sent before the pause add no step
            if (!alreadyPaused) rateLimitStreak++;
            Duration pause = e.retryAfter().map(EndpointScheduler::capped).orElseGet(() -> backoff(retryDelay, rateLimitStreak));
            if (now + pause.toNanos() - pausedUntil > 0) pausedUntil = now + pause.toNanos();
            if (!alreadyPaused) metrics.pause();
            return pause;
        } finally {
            lock.unlock();
        }
    }

    /** A server's Retry-After, at most {@link #MAX_BACKOFF}: a broken or hostile value must not stall every session. */
    static Duration capped(Duration retryAfter) {
        return retryAfter.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : retryAfter;
    }

    /** {@code base × 2^(streak-1)}, between {@link #MIN_BACKOFF} and {@link #MAX_BACKOFF}. */
    static Duration backoff(Duration base, int streak) {
        long nanos = Math.max(base.toNanos(), MIN_BACKOFF.toNanos());
        for (int i = 1; i < streak && nanos < MAX_BACKOFF.toNanos(); i++) nanos *= 2;
        return Duration.ofNanos(Math.min(nanos, MAX_BACKOFF.toNanos()));
    }

    /** Puts units back at the head of the queue, in their order: they were first in line. */
    private void requeue(List<Unit> units) {
        lock.lock();
        try {
            if (closed) return;
            for (int i = units.size() - 1; i >= 0; i--) queue.addFirst(units.get(i));
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
        for (Call c : live) c.done.completeExceptionally(cancelled);
        dispatcher.interrupt();
        metrics.close();
    }
}
