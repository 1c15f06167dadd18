package io.pgmlsidecar.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Request and response helpers of the dashboard's handlers: JSON bodies, cookies, headers. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String COOKIE = "pgml_dashboard";
    /** Bodies above this are refused: the largest legitimate one is a console statement. */
    static final int MAX_BODY = 1 << 20;

    private Http() {}

    static JsonNode readJson(HttpExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        // a cross-site form cannot send application/json without a CORS preflight, which this server never grants
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            throw new ApiError(415, null, "the body must be application/json", null);
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new ApiError(413, null, "the body is larger than " + MAX_BODY + " bytes", null);
            }
            JsonNode node = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            if (!node.isObject()) {
                throw ApiError.badRequest("the body must be a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiError.badRequest("the body is not JSON: " + e.getOriginalMessage());
        }
    }

    static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        securityHeaders(exchange);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static void sendJson(HttpExchange exchange, int status, JsonNode json) throws IOException {
        sendJson(exchange, status, JSON.writeValueAsString(json));
    }

    static void sendError(HttpExchange exchange, ApiError e) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", e.getMessage());
        o.put("sqlstate", e.sqlstate);
        o.put("hint", e.hint);
        sendJson(exchange, e.status, o);
    }

    static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static void securityHeaders(HttpExchange exchange) {
        var h = exchange.getResponseHeaders();
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
    }

    /** The session cookie's value, or null. */
    static String cookie(HttpExchange exchange) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
            for (String part : header.split(";")) {
                String p = part.trim();
                if (p.startsWith(COOKIE + "=")) {
                    return p.substring(COOKIE.length() + 1);
                }
            }
        }
        return null;
    }

    /** A browser-session cookie (the server expires idle logins itself); {@code clear} removes it. */
    static void setCookie(HttpExchange exchange, String value, boolean secure, boolean clear) {
        exchange.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict"
                + (clear ? "; Max-Age=0" : "") + (secure ? "; Secure" : ""));
    }
}
