package io.pgmlsidecar.proxy.session;

import io.pgmlsidecar.proxy.codec.PgMessage;
import java.util.ArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The messages the event loop reads while the worker owns the session, queued for the worker in
 * order: client messages one by one, backend messages one batch per read (one wake-up of the
 * worker per read instead of one per row: a training read is thousands of DataRows).
 */
final class Handover {

    /** Queued when the backend connection is gone; stays at the head once seen. */
    private static final Object BACKEND_CLOSED = new Object();

    /** Thrown to the worker when it waits for the backend and the connection is gone. */
    static final class BackendGone extends RuntimeException {
        BackendGone() {
            super("backend connection closed", null, false, false);
        }
    }

    private final LinkedBlockingQueue<PgMessage> fromClient = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Object> fromBackend = new LinkedBlockingQueue<>();
    /** Backend messages of the current read (event-loop confined). */
    private final ArrayList<Object> backendBatch = new ArrayList<>();

    // ------------------------------------------------------------------ event loop

    void clientMessage(PgMessage m) {
        fromClient.add(m);
    }

    boolean clientMessagesWaiting() {
        return !fromClient.isEmpty();
    }

    void backendMessage(PgMessage m) {
        backendBatch.add(m);
    }

    /** The backend read ended: its messages go to the worker together. */
    void endOfBackendRead() {
        if (!backendBatch.isEmpty()) {
            fromBackend.addAll(backendBatch);
            backendBatch.clear();
        }
    }

    void backendClosed() {
        endOfBackendRead();
        fromBackend.add(BACKEND_CLOSED);
    }

    /**
     * The client is gone: releases what was queued for a worker that will not take it (a worker
     * that stopped on an error leaves the session intercepted). A worker still running polls the
     * same queues (each message is taken once) and, should it wait for the backend, finds it gone.
     */
    void releaseAll() {
        releaseClientMessages();
        endOfBackendRead();
        Object o;
        while ((o = fromBackend.poll()) != null) {
            if (o instanceof PgMessage queued) {
                queued.frame().release();
            }
        }
        fromBackend.add(BACKEND_CLOSED);
    }

    // ------------------------------------------------------------------ worker (and the hand-back)

    /** The next client message, or null when the worker has caught up. */
    PgMessage nextClientMessage() {
        return fromClient.poll();
    }

    void releaseClientMessages() {
        PgMessage m;
        while ((m = fromClient.poll()) != null) {
            m.frame().release();
        }
    }

    /** The next backend message, or null when none is queued. */
    PgMessage pollBackendMessage() {
        return backendMessage(fromBackend.poll());
    }

    /** Waits for the next backend message; {@code beforeWaiting} runs first when none is queued yet. */
    PgMessage takeBackendMessage(Runnable beforeWaiting) throws InterruptedException {
        Object o = fromBackend.poll();
        if (o == null) {
            beforeWaiting.run();
            o = fromBackend.take();
        }
        return backendMessage(o);
    }

    private PgMessage backendMessage(Object o) {
        if (o == BACKEND_CLOSED) {
            fromBackend.add(o);
            throw new BackendGone();
        }
        return (PgMessage) o;
    }
}
