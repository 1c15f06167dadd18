package io.pgmlsidecar.deploy;

import io.pgmlsidecar.catalog.CatalogMigrator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this sidecar should get new clients: the upstream PostgreSQL answers, the {@code pgml}
 * schema is migrated, and draining (SIGTERM) has not begun. A load balancer or Kubernetes takes a
 * replica out of rotation while it is not ready; liveness stays true meanwhile, so an upstream
 * outage does not restart every sidecar.
 */
final class Readiness {

    /** The outcome of one probe: each check's state, in a fixed order. */
    record Report(boolean ready, Map<String, String> checks) {}

    private static final int PROBE_TIMEOUT_SECONDS = 2;

    private final UpstreamUrl upstream;
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean catalogMigrated;

    Readiness(UpstreamUrl upstream, boolean catalogMigrated) {
        this.upstream = upstream;
        this.catalogMigrated = catalogMigrated;
    }

    /** From now on not ready: running statements finish, new clients should go elsewhere. */
    void startDraining() {
        draining.set(true);
    }

    boolean draining() {
        return draining.get();
    }

    /** Runs the checks now (a connection to the upstream per call; probes come every few seconds). */
    Report probe() {
        Map<String, String> checks = new LinkedHashMap<>();
        String upstreamState = upstreamState();
        checks.put("upstream", upstreamState);
        boolean reachable = upstreamState.equals("ok");
        if (!catalogMigrated && reachable) {
            // the upstream was down at start (or refused the migration): try again, it is idempotent
            catalogMigrated = migrate();
        }
        checks.put("catalog", catalogMigrated ? "ok" : reachable ? "not migrated" : "unknown");
        checks.put("draining", draining.get() ? "yes" : "no");
        return new Report(reachable && catalogMigrated && !draining.get(), checks);
    }

    private String upstreamState() {
        Properties p = new Properties();
        p.setProperty("user", upstream.user());
        if (upstream.password() != null) {
            p.setProperty("password", upstream.password());
        }
        p.setProperty("connectTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS));
        p.setProperty("loginTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS));
        p.setProperty("socketTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS));
        p.setProperty("ApplicationName", "pgml-sidecar readiness");
        try (Connection c = DriverManager.getConnection(upstream.jdbcUrl(), p); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return "ok";
        } catch (SQLException e) {
            // the reason without the URL's password (pgjdbc's messages name host and port only)
            return "unreachable: " + e.getMessage();
        }
    }

    private boolean migrate() {
        try {
            CatalogMigrator.migrate(upstream.jdbcUrl(), upstream.user(), upstream.password());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
