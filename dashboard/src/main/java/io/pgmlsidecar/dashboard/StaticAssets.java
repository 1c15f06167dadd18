package io.pgmlsidecar.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The built front end, from the jar ({@code dashboard-ui/} on the class path, written there by the
 * Maven build's vite step). Paths without a file fall back to index.html: the pages route in the browser.
 */
final class StaticAssets implements HttpHandler {
    static final String ROOT = "dashboard-ui/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "json", "application/json", "ico", "image/x-icon", "png", "image/png");

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                Http.sendText(exchange, 405, "only GET here");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            // a directory (which a class path folder would list) or a way up is never a file of the bundle
            String file = path.endsWith("/") || path.contains("..") ? "index.html" : path.substring(1);
            byte[] body = read(file);
            if (body == null) {
                file = "index.html";
                body = read(file);
            }
            if (body == null) {
                Http.sendText(exchange, 500, "the dashboard's front end is not in this build (dashboard-ui/ missing from the class path)");
                return;
            }
            String ext = file.substring(file.lastIndexOf('.') + 1);
            exchange.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"));
            // hashed file names under assets/ never change; index.html must be fetched anew
            exchange.getResponseHeaders().set("Cache-Control", file.startsWith("assets/") ? "max-age=31536000, immutable" : "no-cache");
            Http.securityHeaders(exchange);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private static byte[] read(String file) throws IOException {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(ROOT + file)) {
            return in == null ? null : in.readAllBytes();
        }
    }
}
