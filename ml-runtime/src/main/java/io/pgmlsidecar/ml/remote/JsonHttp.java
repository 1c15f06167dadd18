package io.pgmlsidecar.ml.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One JSON POST (or GET, or multipart upload) to an endpoint: one attempt, no retry; every failure becomes a {@link RemoteCallException}. */
final class JsonHttp {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final ExecutorService SENDERS =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pgml-remote-send-", 0).factory());

    private final HttpClient client;
    private final Clock clock;
    private final EndpointAddressPolicy addresses;

    JsonHttp(HttpClient client, Clock clock, EndpointAddressPolicy addresses) {
        this.client = client;
        this.clock = clock;
        this.addresses = addresses;
    }

    /** Serializes {@code body} and posts it (see {@link #post(Endpoint, URI, Map, byte[], Duration)}). */
    JsonReply post(Endpoint ep, URI uri, Map<String, String> headers, JsonNode body, Duration timeout) {
        try {
            return post(ep, uri, headers, JSON.writeValueAsBytes(body), timeout);
        } catch (JsonProcessingException e) {
            throw RemoteCallException.configuration("could not write the request for remote endpoint '" + ep.name() + "'",
                    "check the call's options");
        }
    }

    /**
     * Posts {@code body} with the endpoint's authentication and {@code headers}; {@code timeout} (null: none)
     * bounds the whole exchange, body included. A 2xx answer must be JSON.
     */
    JsonReply post(Endpoint ep, URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
        return send(ep, uri, HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body)),
                "application/json", headers, timeout);
    }

    /** A GET with the endpoint's authentication (see {@link #post(Endpoint, URI, Map, byte[], Duration)}). */
    JsonReply get(Endpoint ep, URI uri, Duration timeout) {
        return send(ep, uri, HttpRequest.newBuilder(uri).GET(), null, Map.of(), timeout);
    }

    /** One part of a {@code multipart/form-data} body: a field, or a file when {@code fileName} is set. */
    record Part(String name, String fileName, String contentType, byte[] content) {
        static Part field(String name, String value) {
            return new Part(name, null, null, value.getBytes(StandardCharsets.UTF_8));
        }

        static Part file(String name, String fileName, String contentType, byte[] content) {
            return new Part(name, fileName, contentType, content);
        }
    }

    /** Posts {@code parts} as {@code multipart/form-data} (a file upload); the answer must be JSON. */
    JsonReply postMultipart(Endpoint ep, URI uri, List<Part> parts, Duration timeout) {
        String boundary = "pgml-sidecar-" + UUID.randomUUID().toString().replace("-", "");
        byte[] body = multipart(boundary, parts);
        return send(ep, uri, HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body)),
                "multipart/form-data; boundary=" + boundary, Map.of(), timeout);
    }

    static byte[] multipart(String boundary, List<Part> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Part p : parts) {
            StringBuilder head = new StringBuilder("--").append(boundary).append("\r\n")
                    .append("Content-Disposition: form-data; name=\"").append(dispositionValue(p.name())).append('"');
            if (p.fileName() != null) head.append("; filename=\"").append(dispositionValue(p.fileName())).append('"');
            head.append("\r\n");
            if (p.contentType() != null) head.append("Content-Type: ").append(p.contentType()).append("\r\n");
            head.append("\r\n");
            out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
            out.writeBytes(p.content());
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A quoted name in Content-Disposition, escaped as browsers do (HTML's multipart/form-data encoding). */
    private static String dispositionValue(String s) {
        return s.replace("\r", "%0D").replace("\n", "%0A").replace("\"", "%22");
    }

    private JsonReply send(Endpoint ep, URI uri, HttpRequest.Builder request, String contentType,
                           Map<String, String> headers, Duration timeout) {
        addresses.admit(ep, uri); // before the key is put on the request
        if (contentType != null) request.header("Content-Type", contentType);
        request.header("Accept", "application/json");
        // plain-text HTTP/2 means an h2c upgrade, which some model servers (uvicorn, TGI) mishandle
        if ("http".equals(uri.getScheme())) request.version(HttpClient.Version.HTTP_1_1);
        if (timeout != null) request.timeout(timeout);
        try {
            ep.authHeaders().forEach(request::header);
            headers.forEach(request::header);
        } catch (IllegalArgumentException e) {
            throw invalidHeader(ep); // the exception's text may hold the value: not passed on
        }

        HttpResponse<byte[]> response = exchange(ep, request.build(), timeout);
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw RemoteErrors.forStatus(ep, status, RetryAfter.from(response.headers(), clock), response.body());
        }
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (text.isBlank()) throw RemoteErrors.malformed(ep, status, "an empty body where JSON was expected", text);
        try {
            return new JsonReply(ep, status, JSON.readTree(text), text);
        } catch (JsonProcessingException e) {
            throw RemoteErrors.malformed(ep, status, "a body that is not valid JSON", text);
        }
    }

    private static RemoteCallException invalidHeader(Endpoint ep) {
        return RemoteCallException.configuration("remote endpoint '" + ep.name() + "' cannot be called: a header or "
                + "the URL is invalid", "check the endpoint's key, deployment name and URL for stray characters");
    }

    private HttpResponse<byte[]> exchange(Endpoint ep, HttpRequest request, Duration timeout) {
        // HttpClient.send on a thread of our own, not sendAsync: sendAsync completes the caller's
        // future on the common ForkJoinPool, which may be busy (its parallelism is 1 on two cores),
        // and then every call stalls. Cancelling the task interrupts send, which abandons the request.
        Future<HttpResponse<byte[]>> pending = SENDERS.submit(() -> client.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        try {
            // the request timeout stops at the headers; this bound covers a slow body as well
            return timeout == null ? pending.get() : pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw RemoteErrors.timeout(ep, timeout, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof IllegalArgumentException) throw invalidHeader(ep);
            throw RemoteErrors.forIo(ep, timeout, cause);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw RemoteErrors.cancelled(ep);
        }
    }
}
