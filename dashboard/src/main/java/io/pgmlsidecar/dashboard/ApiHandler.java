package io.pgmlsidecar.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON API under {@code /api/}. Everything but logging in needs a session; every POST but the
 * login needs the session's CSRF token in {@code X-CSRF-Token} (the cookie alone, which a browser
 * sends on any request, does not deploy a model).
 */
final class ApiHandler implements HttpHandler {
    private static final Pattern PROJECT = Pattern.compile("/api/projects/(\\d{1,18})");
    private static final Pattern PROJECT_ACTION = Pattern.compile("/api/projects/(\\d{1,18})/(deploy|rollback)");
    private static final Pattern SNAPSHOT = Pattern.compile("/api/snapshots/(\\d{1,18})");

    private final Sessions sessions;
    private final MeterRegistry meters;
    private final boolean secureCookies;

    ApiHandler(Sessions sessions, MeterRegistry meters, boolean secureCookies) {
        this.sessions = sessions;
        this.meters = meters;
        this.secureCookies = secureCookies;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                route(exchange);
            } catch (ApiError e) {
                Http.sendError(exchange, e);
            } catch (RuntimeException e) {
                Http.sendError(exchange, new ApiError(500, "XX000", "the dashboard failed: " + e, null));
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/api/login")) {
            requireMethod(method, "POST");
            logIn(exchange);
            return;
        }
        RoleSession session = sessions.find(Http.cookie(exchange));
        if (session == null) {
            throw new ApiError(401, null, "not logged in", "log in with a database role and its password");
        }
        if ("POST".equals(method) && !Sessions.sameToken(session.csrfToken, exchange.getRequestHeaders().getFirst("X-CSRF-Token"))) {
            throw new ApiError(403, null, "missing or wrong X-CSRF-Token", "reload the page and try again");
        }
        try {
            serve(exchange, method, path, session);
        } catch (ApiError e) {
            // a connection PostgreSQL ended (or the network broke) ends the login: the page asks for a new one
            if (e.connectionLost) {
                sessions.logOut(session);
            }
            throw e;
        }
    }

    private void serve(HttpExchange exchange, String method, String path, RoleSession session) throws IOException {
        Matcher m;
        if (path.equals("/api/session")) {
            requireMethod(method, "GET");
            Http.sendJson(exchange, 200, describe(session));
        } else if (path.equals("/api/logout")) {
            requireMethod(method, "POST");
            sessions.logOut(session);
            Http.setCookie(exchange, "", secureCookies, true);
            Http.sendJson(exchange, 200, "{}");
        } else if (path.equals("/api/projects")) {
            requireMethod(method, "GET");
            Http.sendJson(exchange, 200, session.use(RegistryReads::projects));
        } else if ((m = PROJECT.matcher(path)).matches()) {
            requireMethod(method, "GET");
            long id = Long.parseLong(m.group(1));
            String json = session.use(c -> RegistryReads.project(c, id));
            if (json == null) {
                throw ApiError.notFound("project " + id);
            }
            Http.sendJson(exchange, 200, json);
        } else if ((m = PROJECT_ACTION.matcher(path)).matches()) {
            requireMethod(method, "POST");
            long id = Long.parseLong(m.group(1));
            JsonNode body = Http.readJson(exchange);
            ObjectNode outcome = "deploy".equals(m.group(2))
                    ? session.use(c -> ModelDeployments.deploy(c, id, requiredLong(body, "model_id")))
                    : session.use(c -> ModelDeployments.rollback(c, id));
            Http.sendJson(exchange, 200, outcome);
        } else if ((m = SNAPSHOT.matcher(path)).matches()) {
            requireMethod(method, "GET");
            long id = Long.parseLong(m.group(1));
            String json = session.use(c -> RegistryReads.snapshot(c, id));
            if (json == null) {
                throw ApiError.notFound("snapshot " + id);
            }
            Http.sendJson(exchange, 200, json);
        } else if (path.equals("/api/tuning")) {
            requireMethod(method, "GET");
            Http.sendJson(exchange, 200, session.use(RegistryReads::tuningRuns));
        } else if (path.equals("/api/serving")) {
            requireMethod(method, "GET");
            java.util.Set<String> readable = session.use(ServingMeters::readableProjects);
            Http.sendJson(exchange, 200, ServingMeters.read(meters, readable));
        } else if (path.equals("/api/sql")) {
            requireMethod(method, "POST");
            JsonNode body = Http.readJson(exchange);
            String sql = body.path("sql").asText(null);
            ObjectNode result = session.use(c -> SqlConsole.run(c, sql));
            Http.sendJson(exchange, 200, result);
        } else {
            throw new ApiError(404, null, "no such API path: " + path, null);
        }
    }

    private void logIn(HttpExchange exchange) throws IOException {
        JsonNode body = Http.readJson(exchange);
        RoleSession old = sessions.find(Http.cookie(exchange));
        if (old != null) {
            sessions.logOut(old);
        }
        RoleSession session = sessions.logIn(body.path("role").asText(null), body.path("password").asText(null),
                body.path("database").asText(null));
        Http.setCookie(exchange, session.id, secureCookies, false);
        Http.sendJson(exchange, 200, describe(session));
    }

    private static ObjectNode describe(RoleSession session) {
        return Http.JSON.createObjectNode().put("role", session.role).put("database", session.database)
                .put("csrf_token", session.csrfToken);
    }

    private static void requireMethod(String method, String expected) {
        if (!expected.equals(method)) {
            throw new ApiError(405, null, "use " + expected + " here", null);
        }
    }

    private static long requiredLong(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.canConvertToLong()) {
            throw ApiError.badRequest("'" + field + "' (a number) is needed");
        }
        return v.asLong();
    }
}
