package io.pgmlsidecar.proxy.session;

import io.pgmlsidecar.proxy.intercept.BoundPortal;
import io.pgmlsidecar.proxy.intercept.PreparedPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prepared statements and portals the interceptor serves on this session, by name. The
 * worker changes them; the event loop asks whether a Bind, Describe, Execute or Close names one.
 */
final class ServedStatements {

    private final Map<String, PreparedPlan> statements = new ConcurrentHashMap<>();
    private final Map<String, BoundPortal> portals = new ConcurrentHashMap<>();

    boolean isEmpty() {
        return statements.isEmpty() && portals.isEmpty();
    }

    boolean anyStatement() {
        return !statements.isEmpty();
    }

    boolean hasStatement(String name) {
        return statements.containsKey(name);
    }

    boolean hasPortal(String name) {
        return portals.containsKey(name);
    }

    PreparedPlan statement(String name) {
        return statements.get(name);
    }

    BoundPortal portal(String name) {
        return portals.get(name);
    }

    /** Returns the plan the name had before, to be closed. */
    PreparedPlan putStatement(String name, PreparedPlan plan) {
        return statements.put(name, plan);
    }

    PreparedPlan removeStatement(String name) {
        return statements.remove(name);
    }

    /** Returns the portal the name had before, to be closed. */
    BoundPortal putPortal(String name, BoundPortal portal) {
        return portals.put(name, portal);
    }

    BoundPortal removePortal(String name) {
        return portals.remove(name);
    }

    /** Portals end with their transaction: all of them, to be closed. */
    List<BoundPortal> removeAllPortals() {
        List<BoundPortal> all = new ArrayList<>(portals.values());
        portals.clear();
        return all;
    }
}
