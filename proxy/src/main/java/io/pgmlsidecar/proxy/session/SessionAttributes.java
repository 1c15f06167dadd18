package io.pgmlsidecar.proxy.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** What the session knows of its client for the interceptor: startup parameters and per-session state. */
final class SessionAttributes {

    private volatile Map<String, String> startupParameters = Map.of();
    private final ConcurrentHashMap<Class<?>, Object> interceptorState = new ConcurrentHashMap<>();
    /** What the backend reported with ParameterStatus, as it passed (the last value wins). */
    private final ConcurrentHashMap<String, String> serverParameters = new ConcurrentHashMap<>();

    String serverParameter(String name) {
        return serverParameters.get(name);
    }

    void serverParameter(String name, String value) {
        if (serverParameters.size() < 256 || serverParameters.containsKey(name)) {
            serverParameters.put(name, value);
        }
    }

    Map<String, String> startupParameters() {
        return startupParameters;
    }

    void startupParameters(Map<String, String> parameters) {
        startupParameters = Map.copyOf(parameters);
    }

    /** One instance per type for the session's lifetime, made on first use. */
    <T> T state(Class<T> type, Supplier<T> create) {
        return type.cast(interceptorState.computeIfAbsent(type, k -> create.get()));
    }
}
