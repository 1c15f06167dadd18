package io.pgmlsidecar.ml.remote;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A local stand-in for a model endpoint: records every request and answers what the test's script says. */
final class StandIn implements AutoCloseable {

    /** A request as the stand-in saw it; {@code n} counts from 1, {@code atNanos} is its arrival. */
    record Seen(int n, String method, String path, String query, Headers headers, String body, long atNanos) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    record Reply(int status, Map<String, String> headers, String body, Duration delay) {
        static Reply json(String body) {
            return new Reply(200, Map.of(), body, Duration.ZERO);
        }

        static Reply status(int status, String body) {
            return new Reply(status, Map.of(), body, Duration.ZERO);
        }

        Reply header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, body, delay);
        }

        Reply after(Duration d) {
            return new Reply(status, headers, body, d);
        }
    }

    @FunctionalInterface
    interface Script {
        Reply answer(Seen request) throws Exception;
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger mostActive = new AtomicInteger();
    private final HttpServer server;

    StandIn(Script script) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> handle(ex, script));
        server.start();
    }

    private void handle(HttpExchange ex, Script script) throws IOException {
        mostActive.accumulateAndGet(active.incrementAndGet(), Math::max);
        try (ex) {
            Seen s = new Seen(count.incrementAndGet(), ex.getRequestMethod(), ex.getRequestURI().getPath(),
                    ex.getRequestURI().getRawQuery(), ex.getRequestHeaders(),
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), System.nanoTime());
            seen.add(s);
            Reply r;
            try {
                r = script.answer(s);
            } catch (Exception e) {
                r = Reply.status(599, "stand-in script failed: " + e);
            }
            if (!r.delay().isZero()) Thread.sleep(r.delay());
            r.headers().forEach(ex.getResponseHeaders()::add);
            byte[] body = r.body() == null ? new byte[0] : r.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client gave up (timeout test): nothing to answer
        } finally {
            active.decrementAndGet();
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    int requests() {
        return count.get();
    }

    /** The most requests that were being answered at the same time. */
    int mostConcurrent() {
        return mostActive.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
