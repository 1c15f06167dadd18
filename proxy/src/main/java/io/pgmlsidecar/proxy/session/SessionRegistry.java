package io.pgmlsidecar.proxy.session;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The live sessions, for graceful shutdown and for counting. */
public final class SessionRegistry {
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    // kept apart from the set: read by every idle event-loop iteration, so it must be cheap
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger intercepting = new AtomicInteger();
    private volatile boolean paused;

    /**
     * PAUSE: sessions read no further statement once their transaction ends (a session inside one
     * goes on, as under PgBouncer's transaction pooling, so no lock is held through the pause);
     * RESUME lets them go on.
     */
    public void setPaused(boolean now) {
        paused = now;
        for (ClientSession s : snapshot()) {
            s.runOnEventLoop(s::pauseChanged);
        }
    }

    public boolean paused() {
        return paused;
    }

    /** Whether no session is inside a statement or a transaction: what PAUSE waits for before it answers. */
    public boolean quiet() {
        for (ClientSession s : snapshot()) {
            if (!s.betweenTransactions()) {
                return false;
            }
        }
        return true;
    }

    void add(ClientSession s) {
        if (sessions.add(s)) {
            count.incrementAndGet();
        }
    }

    void remove(ClientSession s) {
        if (sessions.remove(s)) {
            count.decrementAndGet();
        }
    }

    public int size() {
        return count.get();
    }

    void interceptStarted() {
        intercepting.incrementAndGet();
    }

    void interceptEnded() {
        intercepting.decrementAndGet();
    }

    /**
     * True while at most {@code maxSessions} sessions are connected and none is being served by an
     * interceptor worker: the state in which a busy-polling event loop has a core to itself. A worker
     * (a virtual thread) needs that core, so polling stops while one runs.
     */
    public boolean onlyFewRelayingSessions(int maxSessions) {
        return count.get() <= maxSessions && intercepting.get() == 0;
    }

    /** Sessions whose statement an interceptor worker (a virtual thread) is serving now. */
    public int interceptingCount() {
        return intercepting.get();
    }

    public List<ClientSession> snapshot() {
        return List.copyOf(sessions);
    }
}
