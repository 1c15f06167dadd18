package io.pgmlsidecar.proxy.session;

import io.pgmlsidecar.proxy.ProxyObserver;

/**
 * Times relayed statements on the fast path: a Query, or an extended batch from its first Execute to
 * its Sync, starts a clock; the ReadyForQuery that answers it stops it. PostgreSQL answers in order, so
 * a FIFO of start times pairs them even when a client pipelines. A statement the interceptor takes
 * over is not timed here (the planner times it); the queue is cleared then, so pairs stay aligned.
 * Event-loop confined.
 */
final class RelayedLatency {

    private static final int CAPACITY = 64;
    /** A Sync whose batch executed nothing: its ReadyForQuery is paired but not reported. */
    private static final long UNTIMED = Long.MIN_VALUE;

    private final ProxyObserver observer;
    private final long[] starts = new long[CAPACITY];
    private final boolean[] extended = new boolean[CAPACITY];
    private int head;
    private int size;
    private long batchStart = UNTIMED;

    RelayedLatency(ProxyObserver observer) {
        this.observer = observer;
    }

    void query() {
        push(System.nanoTime(), false);
    }

    void execute() {
        if (batchStart == UNTIMED) {
            batchStart = System.nanoTime();
        }
    }

    void sync() {
        push(batchStart, true);
        batchStart = UNTIMED;
    }

    void readyForQuery() {
        if (size == 0) {
            return; // the one after authentication, or a statement served by the interceptor
        }
        long start = starts[head];
        boolean ext = extended[head];
        head = (head + 1) % CAPACITY;
        size--;
        if (start != UNTIMED) {
            observer.relayedStatementTook(ext, System.nanoTime() - start);
        }
    }

    void clear() {
        size = 0;
        batchStart = UNTIMED;
    }

    private void push(long start, boolean ext) {
        if (size == CAPACITY) {
            clear(); // a client pipelining this deep: start over rather than mispair
            return;
        }
        int tail = (head + size) % CAPACITY;
        starts[tail] = start;
        extended[tail] = ext;
        size++;
    }
}
