package io.pgmlsidecar.ml.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One JSON POST to an endpoint: one attempt, no retry; every failure becomes a {@link RemoteCallException}. */
final class JsonHttp {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final ExecutorService SENDERS =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pgml-remote-send-", 0).factory());

    private final HttpClient client;
    private final Clock clock;

    JsonHttp(HttpClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
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
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json");
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
