package io.pgmlsidecar.planner.prepared;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A session's SQL-level prepared statements whose text calls the API ({@code PREPARE name AS …}).
 * PostgreSQL cannot hold them (it would evaluate the calls itself, without the sidecar), so the
 * sidecar keeps them and serves EXECUTE and DEALLOCATE of their names. Like PostgreSQL's, they
 * live as long as the session and are not undone by ROLLBACK.
 */
public final class SqlPreparedStatements {

    /**
     * One prepared statement: its body, the parameter types (declared, or as PostgreSQL inferred
     * them at PREPARE) by OID and by name, for casting EXECUTE's arguments.
     */
    public record Entry(String name, String body, int[] parameterOids, List<String> parameterTypes) {}

    private final Map<String, Entry> byName = new ConcurrentHashMap<>();

    public Entry find(String name) {
        return byName.get(name);
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }

    void add(Entry e) {
        byName.put(e.name(), e);
    }

    boolean remove(String name) {
        return byName.remove(name) != null;
    }

    void clear() {
        byName.clear();
    }
}
