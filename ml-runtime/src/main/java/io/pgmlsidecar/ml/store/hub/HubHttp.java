package io.pgmlsidecar.ml.store.hub;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import io.pgmlsidecar.ml.remote.EndpointAddressPolicy;

/**
 * The Hugging Face hub's HTTP conventions, shared by everything that talks to it: the base URL
 * ({@code HF_ENDPOINT}), file URLs {@code <base>/<repo>/resolve/<revision>/<path>}, API URLs
 * {@code <base>/api/models/<repo>/...}, the bearer token, and redirects.
 *
 * <p>Redirects are followed here rather than by the client: the hub answers LFS files with a 302 to
 * a CDN host, and the token is only sent to the hub's own host, never to another one. The hub's own origin is the
 * operator's choice (it may be a mirror on the private network); a hop to any other host must pass the
 * {@link EndpointAddressPolicy} the remote endpoints pass (public addresses and the operator's {@code --remote-allow}),
 * resolved once and pinned, so a hub, or a CDN, that redirects to the cloud metadata service or to the sidecar's own
 * host is refused before a connection is made.
 */
public final class HubHttp {
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co/");
    private static final int MAX_REDIRECTS = 10;

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final EndpointAddressPolicy redirects;

    /** A client whose redirects off the hub's origin may go to public addresses only. */
    public HubHttp(URI endpoint, String token, Duration connectTimeout) {
        this(endpoint, token, connectTimeout, Duration.ofMinutes(30), EndpointAddressPolicy.publicOnly());
    }

    public HubHttp(URI endpoint, String token, Duration connectTimeout, EndpointAddressPolicy redirects) {
        this(endpoint, token, connectTimeout, Duration.ofMinutes(30), redirects);
    }

    public HubHttp(URI endpoint, String token, Duration connectTimeout, Duration requestTimeout,
            EndpointAddressPolicy redirects) {
        this.redirects = Objects.requireNonNull(redirects, "redirects");
        String b = Objects.requireNonNull(endpoint, "endpoint").toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The base URL, ending with {@code /}. */
    public URI base() {
        return base;
    }

    public boolean hasToken() {
        return token != null;
    }

    /** {@code <base>/<repo>/resolve/<revision>/<path>}; the revision is one encoded segment ({@code refs/pr/1}). */
    public URI fileUri(String repo, String revision, String path) {
        return base.resolve(encodePath(repo) + "/resolve/" + encodeSegment(revision) + "/" + encodePath(path));
    }

    /** {@code <base>/api/models/<repo>/<rest>} where {@code rest} is already encoded. */
    public URI apiUri(String repo, String rest) {
        return base.resolve("api/models/" + encodePath(repo) + "/" + rest);
    }

    /**
     * Sends a GET, following redirects (relative ones and ones to other hosts, as the hub's LFS
     * redirects to its CDN); the token goes only to the hub's host.
     *
     * @param headers extra request headers (e.g. {@code Range}), sent to every hop
     */
    public <T> HttpResponse<T> get(URI uri, Map<String, String> headers, HttpResponse.BodyHandler<T> body)
            throws IOException {
        URI at = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(at).GET().timeout(requestTimeout)
                    .header("User-Agent", "pgml-sidecar");
            if (token != null && sameOrigin(at, base)) rb.header("Authorization", "Bearer " + token);
            headers.forEach(rb::header);
            HttpResponse<T> r;
            try {
                r = http.send(rb.build(), hop < MAX_REDIRECTS ? redirectAware(body) : body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while requesting " + at, e);
            }
            int s = r.statusCode();
            if (isRedirect(s) && hop < MAX_REDIRECTS) {
                String location = r.headers().firstValue("Location").orElse(null);
                if (location == null) return r;
                URI next = at.resolve(location);
                admitRedirect(at, next);
                at = next;
                continue;
            }
            return r;
        }
    }

    /** Refuses a redirect to another origin whose host is not a public address (nor one the operator allows). */
    private void admitRedirect(URI from, URI to) throws HubException {
        if (sameOrigin(to, base)) return;
        String scheme = lower(to.getScheme());
        if (to.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
            throw HubException.redirectRefused(from + " redirected to '" + to + "', which is not an http(s) URL");
        }
        String refused;
        try {
            refused = redirects.refusedAddress(to);
        } catch (java.net.UnknownHostException e) {
            throw new HubException("could not resolve " + to.getHost() + ", where " + from + " redirected", e);
        }
        if (refused != null) {
            throw HubException.redirectRefused(from + " redirected to " + to.getScheme() + "://" + to.getAuthority()
                    + ", a non-public address (" + refused + "), which the sidecar does not follow");
        }
    }

    /** A GET whose body is read as a string. */
    public HttpResponse<String> getString(URI uri) throws IOException {
        return get(uri, Map.of(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** Discards the body of a redirect instead of handing it to the caller's handler (which may write a file). */
    private static <T> HttpResponse.BodyHandler<T> redirectAware(HttpResponse.BodyHandler<T> body) {
        return info -> isRedirect(info.statusCode()) && info.headers().firstValue("Location").isPresent()
                ? HttpResponse.BodySubscribers.replacing(null)
                : body.apply(info);
    }

    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme())) && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && port(a) == port(b);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) return u.getPort();
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /**
     * What an error status means at the hub, for messages. Without a token the hub answers 401 for a
     * repository that does not exist as well as for a private one; {@code X-Error-Code} tells them apart
     * when present.
     */
    public String explain(HttpResponse<?> r, String what) {
        int status = r.statusCode();
        String code = r.headers().firstValue("X-Error-Code").orElse("");
        String tokenHint = hasToken() ? " (a token was sent: check it has been granted access to it)"
                : "; if it is gated or private, set a Hugging Face token (HF_TOKEN or --token)";
        if (code.equals("RepoNotFound")) return "HTTP " + status + ": no such repository: " + what + (status == 404 ? "" : tokenHint);
        if (code.equals("RevisionNotFound")) return "HTTP " + status + ": no such revision: " + what;
        if (code.equals("EntryNotFound")) return "HTTP " + status + ": no such file: " + what;
        if (code.equals("GatedRepo")) return "HTTP " + status + ": " + what + " is gated: accept its conditions on the hub"
                + (hasToken() ? " with the account of the token that was sent" : " and set a Hugging Face token (HF_TOKEN or --token)");
        return switch (status) {
            case 401, 403 -> "HTTP " + status + ": " + what + " is private or gated, or does not exist" + tokenHint;
            case 404 -> "HTTP 404: no such repository or revision: " + what;
            case 429 -> "HTTP 429: rate limited by the hub; try again later" + (hasToken() ? "" : " or use a token");
            default -> "HTTP " + status + " for " + what;
        };
    }

    /** Percent-encodes each segment of a {@code /}-separated path. */
    public static String encodePath(String path) {
        StringBuilder sb = new StringBuilder();
        for (String seg : path.split("/", -1)) {
            if (!sb.isEmpty()) sb.append('/');
            sb.append(encodeSegment(seg));
        }
        return sb.toString();
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters (so {@code /} too). */
    public static String encodeSegment(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }
}
