package io.pgmlsidecar.ml.store.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for huggingface.co on two local ports, answering like the hub: the revision and tree APIs
 * ({@code sha}, {@code siblings}, sizes, git blob ids, {@code lfs.oid} = SHA-256, {@code Link} paging),
 * {@code /<repo>/resolve/<rev>/<path>} with {@code X-Repo-Commit}/{@code ETag}, LFS files redirected (302)
 * to a second server (the "CDN", another origin) with {@code X-Linked-Etag}/{@code X-Linked-Size}, and
 * {@code Range} answered with 206 and {@code Content-Range}. Every request is recorded.
 */
final class FakeHub implements AutoCloseable {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern API = Pattern.compile("/api/models/([^/]+/[^/]+)/(revision|tree)/([^/]+)");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");

    /** One recorded request. */
    record Request(String server, String path, String range, String auth) {}

    final Map<String, Map<String, byte[]>> repos = new ConcurrentHashMap<>();
    /** repo → the token it needs (gated/private). */
    final Map<String, String> tokens = new ConcurrentHashMap<>();
    /** LFS path → content served by the CDN instead of the real one (same size, wrong hash). */
    final Map<String, byte[]> corrupt = new ConcurrentHashMap<>();
    /** path → bytes after which the CDN drops the connection (once). */
    final Map<String, Integer> dropAfter = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    volatile boolean ignoreRange;
    volatile int pageSize = 1000;
    /** Where LFS files are redirected instead of the stand-in CDN (e.g. {@code http://169.254.169.254}); null = the CDN. */
    volatile String lfsRedirectBase;

    private final HttpServer hub;
    private final HttpServer cdn;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();

    FakeHub() throws IOException {
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.createContext("/", this::hub);
        cdn.createContext("/", this::cdn);
        hub.start();
        cdn.start();
    }

    String url() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    FakeHub repo(String repo, Map<String, byte[]> files) {
        repos.put(repo, new TreeMap<>(files));
        return this;
    }

    static boolean isLfs(String path) {
        return path.endsWith(".onnx") || path.endsWith(".onnx_data") || path.endsWith(".safetensors") || path.endsWith(".bin");
    }

    List<Request> requestsTo(String server) {
        return requests.stream().filter(r -> r.server().equals(server)).toList();
    }

    /** The file-content requests (resolve and CDN), as paths. */
    List<String> contentRequests() {
        return requests.stream().filter(r -> !r.path().startsWith("/api/")).map(Request::path).toList();
    }

    static String sha256(byte[] b) {
        return hex("SHA-256", new byte[0], b);
    }

    static String gitOid(byte[] b) {
        return hex("SHA-1", ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII), b);
    }

    private static String hex(String alg, byte[] prefix, byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance(alg);
            md.update(prefix);
            return HexFormat.of().formatHex(md.digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void record(String server, HttpExchange ex) {
        requests.add(new Request(server, ex.getRequestURI().getRawPath(), ex.getRequestHeaders().getFirst("Range"),
                ex.getRequestHeaders().getFirst("Authorization")));
    }

    private void hub(HttpExchange ex) throws IOException {
        record("hub", ex);
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            Matcher api = API.matcher(path);
            Matcher res = RESOLVE.matcher(path);
            String repo = api.matches() ? api.group(1) : res.matches() ? res.group(1) : null;
            if (repo == null) {
                send(ex, 404, "text/plain", "Not Found".getBytes());
                return;
            }
            Map<String, byte[]> files = repos.get(repo);
            String needed = tokens.get(repo);
            if (files == null || (needed != null && !("Bearer " + needed).equals(ex.getRequestHeaders().getFirst("Authorization")))) {
                // like the hub: without access, a private repository looks like a missing one, with 401
                ex.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
                send(ex, files == null && ex.getRequestHeaders().containsKey("Authorization") ? 404 : 401, "application/json",
                        "{\"error\":\"Repository Not Found\"}".getBytes());
                return;
            }
            String rev = URLDecoder.decode(api.matches() ? api.group(3) : res.group(2), StandardCharsets.UTF_8);
            if (!rev.equals("main") && !rev.equals(COMMIT)) {
                ex.getResponseHeaders().add("X-Error-Code", "RevisionNotFound");
                send(ex, 404, "application/json", ("{\"error\":\"Invalid rev id: " + rev + "\"}").getBytes());
                return;
            }
            if (api.matches() && api.group(2).equals("revision")) {
                ObjectNode info = JSON.createObjectNode().put("id", repo).put("sha", COMMIT);
                ArrayNode siblings = info.putArray("siblings");
                files.keySet().forEach(f -> siblings.addObject().put("rfilename", f));
                send(ex, 200, "application/json", JSON.writeValueAsBytes(info));
            } else if (api.matches()) {
                tree(ex, files);
            } else {
                String file = URLDecoder.decode(res.group(3), StandardCharsets.UTF_8);
                byte[] body = files.get(file);
                ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                if (body == null) {
                    ex.getResponseHeaders().add("X-Error-Code", "EntryNotFound");
                    send(ex, 404, "text/plain", "Entry not found".getBytes());
                } else if (isLfs(file)) {
                    String sha = sha256(body);
                    blobs.put(sha, body);
                    ex.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
                    ex.getResponseHeaders().add("X-Linked-Size", Long.toString(body.length));
                    ex.getResponseHeaders().add("ETag", "\"" + gitOid(body) + "\"");
                    String target = lfsRedirectBase != null ? lfsRedirectBase : "http://127.0.0.1:" + cdn.getAddress().getPort();
                    ex.getResponseHeaders().add("Location", target + "/repos/"
                            + sha + "?file=" + HubHttp.encodeSegment(file) + "&Expires=1");
                    send(ex, 302, "text/plain", "Found. Redirecting".getBytes());
                } else {
                    ex.getResponseHeaders().add("ETag", "\"" + gitOid(body) + "\"");
                    serve(ex, body);
                }
            }
        }
    }

    private void tree(HttpExchange ex, Map<String, byte[]> files) throws IOException {
        List<ObjectNode> entries = new ArrayList<>();
        Set<String> dirs = new TreeSet<>();
        for (var e : files.entrySet()) {
            String p = e.getKey();
            for (int i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) dirs.add(p.substring(0, i));
            ObjectNode n = JSON.createObjectNode().put("type", "file").put("oid", gitOid(e.getValue()));
            if (isLfs(p)) {
                n.put("size", e.getValue().length);
                n.putObject("lfs").put("oid", sha256(e.getValue())).put("size", e.getValue().length).put("pointerSize", 134);
            } else {
                n.put("size", e.getValue().length);
            }
            entries.add(n.put("path", p));
        }
        for (String d : dirs) entries.add(JSON.createObjectNode().put("type", "directory").put("oid", "0").put("size", 0).put("path", d));
        String q = ex.getRequestURI().getRawQuery();
        int from = q != null && q.contains("cursor=") ? Integer.parseInt(q.replaceAll(".*cursor=(\\d+).*", "$1")) : 0;
        int to = Math.min(entries.size(), from + pageSize);
        if (to < entries.size()) {
            ex.getResponseHeaders().add("Link", "<" + url() + ex.getRequestURI().getRawPath() + "?recursive=true&cursor=" + to
                    + ">; rel=\"next\"");
        }
        ArrayNode arr = JSON.createArrayNode();
        entries.subList(from, to).forEach(arr::add);
        send(ex, 200, "application/json", JSON.writeValueAsBytes(arr));
    }

    private void cdn(HttpExchange ex) throws IOException {
        record("cdn", ex);
        try (ex) {
            String sha = ex.getRequestURI().getRawPath().substring("/repos/".length());
            String file = URLDecoder.decode(ex.getRequestURI().getRawQuery().replaceAll(".*file=([^&]*).*", "$1"),
                    StandardCharsets.UTF_8);
            byte[] body = blobs.get(sha);
            if (body == null || ex.getRequestHeaders().containsKey("Authorization")) {
                send(ex, body == null ? 404 : 400, "text/plain", "no".getBytes()); // presigned URLs refuse a second auth
                return;
            }
            if (corrupt.containsKey(file)) body = corrupt.get(file);
            Integer drop = dropAfter.remove(file);
            if (drop != null) {
                ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
                ex.sendResponseHeaders(200, body.length);
                OutputStream o = ex.getResponseBody();
                o.write(body, 0, drop);
                o.flush();
                throw new IOException("dropping the connection"); // the server aborts the exchange mid-body
            }
            serve(ex, body);
        }
    }

    /** 200 with the whole body, or 206 with {@code Content-Range} for {@code Range: bytes=N-}. */
    private void serve(HttpExchange ex, byte[] body) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        ex.getResponseHeaders().add("Accept-Ranges", "bytes");
        if (range != null && !ignoreRange) {
            Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
            if (!m.matches()) throw new IOException("unexpected Range " + range);
            int start = Integer.parseInt(m.group(1));
            if (start >= body.length) {
                ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
                send(ex, 416, "text/plain", new byte[0]);
                return;
            }
            ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
            byte[] part = java.util.Arrays.copyOfRange(body, start, body.length);
            send(ex, 206, "application/octet-stream", part);
            return;
        }
        send(ex, 200, "application/octet-stream", body);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        }
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
    }
}
