package io.pgmlsidecar.catalog;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens, per database, for the notifications the registry's triggers send when deployments,
 * projects or models change (migration V5) or privileges do (V8), on a service connection of its own,
 * and runs the database's callback on each and whenever roles' memberships or attributes change. While a database's listener is not connected it reports that it
 * is not watching, so callers must not rely on cached answers for it.
 */
public final class DeploymentNotifications implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeploymentNotifications.class);
    public static final String CHANNEL = "pgml_sidecar_deployments";
    /**
     * How often role memberships and role attributes are compared: a privilege gained or lost through
     * {@code GRANT role TO role}, {@code ALTER ROLE … [NO]INHERIT / [NO]BYPASSRLS / [NO]SUPERUSER} reaches cached answers
     * within this time (both catalogs are readable by every role).
     */
    static final int ROLE_POLL_MILLIS = 2_000;
    private static final String ROLE_FINGERPRINT = "SELECT md5(coalesce((SELECT string_agg(m::text, ',' ORDER BY m::text) "
            + "FROM pg_auth_members m), '') || '|' || coalesce((SELECT string_agg(r.oid || ':' || r.rolsuper || r.rolinherit "
            + "|| r.rolbypassrls, ',' ORDER BY r.oid) FROM pg_roles r), ''))";

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public DeploymentNotifications(String host, int port, String user, String password) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /**
     * True when changes in {@code database} are being listened for; the first call for a database
     * starts its listener (and answers false until it is connected). {@code onChange} runs on every
     * notification and whenever the connection is lost. Several callers (sidecars sharing one
     * listener in a process) each register their own callback, once per distinct callback object.
     */
    public boolean watching(String database, Runnable onChange) {
        if (closed) {
            return false;
        }
        Listener listener = listeners.computeIfAbsent(database, Listener::new);
        if (listener.callbacks.add(onChange) && listener.listening) {
            onChange.run(); // changes before this caller registered are unknown to it
        }
        return listener.listening;
    }

    @Override
    public void close() {
        closed = true;
        listeners.values().forEach(l -> l.thread.interrupt());
    }

    private final class Listener implements Runnable {
        private final String database;
        private final java.util.Set<Runnable> callbacks = new java.util.concurrent.CopyOnWriteArraySet<>();
        private final Thread thread;
        private volatile boolean listening;

        Listener(String database) {
            this.database = database;
            this.thread = Thread.ofVirtual().name("pgml-deployments-" + database).start(this);
        }

        @Override
        public void run() {
            long backoffMs = 500;
            while (!closed) {
                try (Connection c = connect()) {
                    try (Statement s = c.createStatement()) {
                        s.execute("LISTEN " + CHANNEL);
                    }
                    listening = true;
                    callbacks.forEach(Runnable::run); // whatever happened before the LISTEN is unknown
                    backoffMs = 500;
                    PGConnection pg = c.unwrap(PGConnection.class);
                    String roles = roleFingerprint(c);
                    while (!closed) {
                        PGNotification[] batch = pg.getNotifications(ROLE_POLL_MILLIS);
                        boolean changed = batch != null && batch.length > 0;
                        // GRANT role TO role and ALTER ROLE fire no event trigger: compare the roles instead (this
                        // query also tells a lost connection)
                        String now = roleFingerprint(c);
                        if (!now.equals(roles)) {
                            roles = now;
                            changed = true;
                        }
                        if (changed) {
                            callbacks.forEach(Runnable::run);
                        }
                    }
                } catch (SQLException e) {
                    LOG.debug("deployment listener for database {} is not connected: {}", database, e.getMessage());
                } finally {
                    listening = false;
                    callbacks.forEach(Runnable::run);
                }
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException e) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 30_000);
            }
        }

        private String roleFingerprint(Connection c) throws SQLException {
            try (Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(ROLE_FINGERPRINT)) {
                rs.next();
                return rs.getString(1);
            }
        }

        private Connection connect() throws SQLException {
            Properties p = new Properties();
            p.setProperty("user", user);
            if (password != null) {
                p.setProperty("password", password);
            }
            p.setProperty("ApplicationName", "pgml-sidecar deployment listener");
            p.setProperty("tcpKeepAlive", "true");
            return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, p);
        }
    }
}
