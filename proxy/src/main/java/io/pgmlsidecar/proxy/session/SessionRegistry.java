package io.pgmlsidecar.proxy.session;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The live sessions, for graceful shutdown and for counting. */
public final class SessionRegistry {
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();

    void add(ClientSession s) {
        sessions.add(s);
    }

    void remove(ClientSession s) {
        sessions.remove(s);
    }

    public int size() {
        return sessions.size();
    }

    public List<ClientSession> snapshot() {
        return List.copyOf(sessions);
    }
}
