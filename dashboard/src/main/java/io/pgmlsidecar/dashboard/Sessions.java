package io.pgmlsidecar.dashboard;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Logins kept on the server: a random id (the cookie) maps to the role's session; an idle one expires
 * and its connection is closed. A login is a connection opened through the sidecar with the role's
 * name and password, so the upstream PostgreSQL's authentication decides.
 */
final class Sessions implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Each login holds an upstream connection; past this many, new logins wait for old ones to go. */
    static final int MAX_SESSIONS = 64;

    private final DashboardConfig config;
    private final Map<String, RoleSession> byId = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pgml-dashboard-sessions");
        t.setDaemon(true);
        return t;
    });

    Sessions(DashboardConfig config) {
        this.config = config;
        long every = Math.max(1, Math.min(60, config.sessionIdle().toSeconds() / 2));
        sweeper.scheduleWithFixedDelay(this::expireIdle, every, every, TimeUnit.SECONDS);
    }

    RoleSession logIn(String role, String password, String database) {
        if (role == null || role.isBlank()) {
            throw ApiError.badRequest("a role name is needed");
        }
        if (byId.size() >= MAX_SESSIONS) {
            expireIdle();
            if (byId.size() >= MAX_SESSIONS) {
                throw new ApiError(503, "53300", "the dashboard holds " + MAX_SESSIONS + " logins already",
                        "log out of sessions no longer used, or wait for idle ones to expire");
            }
        }
        String db = database == null || database.isBlank() ? config.database() : database;
        Properties p = new Properties();
        p.setProperty("user", role);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "pgml-dashboard");
        // the sidecar's TLS is for remote clients; the dashboard talks to it on its own host
        p.setProperty("sslmode", "disable");
        p.setProperty("connectTimeout", "10");
        try {
            Connection c = DriverManager.getConnection(jdbcUrl(db), p);
            RoleSession s = new RoleSession(token(), role, db, token(), c);
            byId.put(s.id, s);
            return s;
        } catch (SQLException e) {
            ApiError refused = ApiError.fromSql(e);
            if ("28P01".equals(e.getSQLState()) || "28000".equals(e.getSQLState())) {
                throw new ApiError(401, e.getSQLState(), refused.getMessage(), "check the role name and password");
            }
            throw refused;
        }
    }

    private String jdbcUrl(String database) {
        String host = config.sidecarHost().contains(":") ? "[" + config.sidecarHost() + "]" : config.sidecarHost();
        return "jdbc:postgresql://" + host + ":" + config.sidecarPort() + "/"
                + java.net.URLEncoder.encode(database, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The live session of a cookie's id, or null. */
    RoleSession find(String id) {
        if (id == null) {
            return null;
        }
        RoleSession s = byId.get(id);
        if (s != null && expired(s, Instant.now())) {
            logOut(s);
            return null;
        }
        return s;
    }

    void logOut(RoleSession s) {
        if (byId.remove(s.id, s)) {
            s.close();
        }
    }

    int size() {
        return byId.size();
    }

    static boolean sameToken(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(), given.getBytes());
    }

    private boolean expired(RoleSession s, Instant now) {
        return Duration.between(s.lastUsed(), now).compareTo(config.sessionIdle()) > 0;
    }

    private void expireIdle() {
        Instant now = Instant.now();
        byId.values().stream().filter(s -> expired(s, now)).toList().forEach(this::logOut);
    }

    private static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        byId.values().forEach(this::logOut);
    }
}
