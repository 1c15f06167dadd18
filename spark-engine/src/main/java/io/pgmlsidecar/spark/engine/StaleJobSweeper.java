package io.pgmlsidecar.spark.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Cleans up after Spark jobs whose sidecar is gone (decision 37r). A job's login role is leased by its sidecar
 * ({@link ShortLivedRole}); a role {@code pgml_spark_*} nobody leases belongs to a sidecar that died mid-job (killed,
 * out of memory, its host lost), and its staging table, which the client's transaction never applied, would stay
 * forever. The sweeper takes the lease itself (so no live sidecar's job is touched, and two sweepers never clean the
 * same job), ends the role's sessions (executors still writing), drops the staging table its comment names and the
 * role. It runs when a sidecar with a Spark master starts, and then every {@code sweep-interval-seconds}.
 */
final class StaleJobSweeper {
    private static final System.Logger LOG = System.getLogger(StaleJobSweeper.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One sweeper per PostgreSQL and admin role in this JVM, whichever engines (training, bulk) are made. */
    private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();

    private final SparkSettings settings;

    StaleJobSweeper(SparkSettings settings) {
        this.settings = settings;
    }

    /** Sweeps now and then at the configured interval, on a daemon thread; once per PostgreSQL and admin role. */
    static void startOnce(SparkSettings settings) {
        if (!STARTED.add(settings.jdbcUrl() + "|" + settings.adminUser())) {
            return;
        }
        StaleJobSweeper sweeper = new StaleJobSweeper(settings);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pgml-spark-sweeper");
            t.setDaemon(true);
            return t;
        });
        Runnable sweep = () -> {
            try {
                sweeper.sweep();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the sweep of stale Spark jobs failed: " + e.getMessage());
            }
        };
        if (settings.sweepIntervalSeconds() > 0) {
            timer.scheduleWithFixedDelay(sweep, 0, settings.sweepIntervalSeconds(), TimeUnit.SECONDS);
        } else {
            timer.execute(sweep);
            timer.shutdown();
        }
    }

    /** A job's role as the catalog shows it. */
    record StaleRole(String name, String database, String staging) {}

    /** Cleans every unleased job role; returns the roles dropped. Failures to reach PostgreSQL are logged, not thrown. */
    List<String> sweep() {
        List<StaleRole> roles;
        try (Connection c = admin("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT rolname, shobj_description(oid, 'pg_authid'), rolvaliduntil < now() FROM pg_roles "
                     + "WHERE rolname LIKE 'pgml\\_spark\\_%'")) {
            roles = new ArrayList<>();
            while (rs.next()) {
                if (rs.getString(2) == null && !rs.getBoolean(3)) {
                    continue; // an older sidecar's job, which takes no lease: only once its VALID UNTIL has passed
                }
                JsonNode comment = parse(rs.getString(2));
                roles.add(new StaleRole(rs.getString(1), comment.path("database").asText("postgres"),
                        comment.path("staging").isTextual() ? comment.path("staging").asText() : null));
            }
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot look for stale Spark job roles: " + e.getMessage());
            return List.of();
        }
        List<String> dropped = new ArrayList<>();
        for (StaleRole role : roles) {
            try {
                if (clean(role)) {
                    dropped.add(role.name());
                }
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot clean up after the Spark job of role " + role.name() + ": " + e.getMessage());
            }
        }
        return dropped;
    }

    /** False when a live sidecar leases the role. */
    private boolean clean(StaleRole role) throws SQLException {
        try (Connection c = admin(role.database())) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(" + ShortLivedRole.LEASE + ", hashtext(?))")) {
                ps.setString(1, role.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return false;
                    }
                }
            }
            // the lease is ours until this connection closes: end what the job still runs, then drop what it made
            try (PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = ?")) {
                ps.setString(1, role.name());
                ps.executeQuery().close();
            }
            try (Statement s = c.createStatement()) {
                s.execute("SET lock_timeout = '10s'");
                if (role.staging() != null) {
                    s.execute("DROP TABLE IF EXISTS " + role.staging());
                }
                s.execute("DROP ROLE IF EXISTS " + ShortLivedRole.ident(role.name()));
            }
            LOG.log(System.Logger.Level.WARNING, "dropped the login role " + role.name()
                    + (role.staging() == null ? "" : " and the staging table " + role.staging() + " (database " + role.database() + ")")
                    + " of a Spark job whose sidecar is gone");
            return true;
        }
    }

    private Connection admin(String database) throws SQLException {
        return ShortLivedRole.admin(settings, database);
    }

    private static JsonNode parse(String comment) {
        if (comment == null) {
            return JSON.createObjectNode(); // an older sidecar's role: its database is unknown, postgres is tried
        }
        try {
            return JSON.readTree(comment);
        } catch (java.io.IOException e) {
            return JSON.createObjectNode();
        }
    }
}
