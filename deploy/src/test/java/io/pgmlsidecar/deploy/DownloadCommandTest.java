package io.pgmlsidecar.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pgml-sidecar download} run in-process against a small stand-in for the hub: the revision and
 * tree APIs, {@code resolve} URLs, and the LFS redirect of {@code .onnx} files to a blob path.
 */
class DownloadCommandTest {
    static final String COMMIT = "fedcba9876543210fedcba9876543210fedcba98";

    @TempDir
    Path tmp;
    HttpServer server;
    final Map<String, byte[]> files = new LinkedHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        files.put("config.json", "{\"model_type\":\"bert\"}".getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer.json", "{\"version\":\"1.0\"}".getBytes(StandardCharsets.UTF_8));
        files.put("onnx/model.onnx", "not really onnx, but bytes all the same".repeat(1000).getBytes(StandardCharsets.UTF_8));
        files.put("pytorch_model.bin", new byte[4096]);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static boolean lfs(String path) {
        return path.endsWith(".onnx") || path.endsWith(".bin");
    }

    static String hex(String alg, String prefix, byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance(alg);
            md.update(prefix.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        requests.add(path);
        try (ex) {
            String api = "/api/models/acme/mini/";
            String resolve = "/acme/mini/resolve/" + COMMIT + "/";
            if (path.equals(api + "revision/main")) {
                StringBuilder sib = new StringBuilder();
                for (String f : files.keySet()) sib.append(sib.isEmpty() ? "" : ",").append("{\"rfilename\":\"").append(f).append("\"}");
                send(ex, 200, "{\"id\":\"acme/mini\",\"sha\":\"" + COMMIT + "\",\"siblings\":[" + sib + "]}");
            } else if (path.equals(api + "tree/" + COMMIT)) {
                StringBuilder tree = new StringBuilder("[{\"type\":\"directory\",\"path\":\"onnx\",\"oid\":\"x\",\"size\":0}");
                for (var e : files.entrySet()) {
                    byte[] b = e.getValue();
                    tree.append(",{\"type\":\"file\",\"path\":\"").append(e.getKey()).append("\",\"size\":").append(b.length)
                            .append(",\"oid\":\"").append(hex("SHA-1", "blob " + b.length + "\0", b)).append('"');
                    if (lfs(e.getKey())) {
                        tree.append(",\"lfs\":{\"oid\":\"").append(hex("SHA-256", "", b)).append("\",\"size\":").append(b.length)
                                .append(",\"pointerSize\":130}");
                    }
                    tree.append('}');
                }
                send(ex, 200, tree.append(']').toString());
            } else if (path.startsWith(resolve) && files.containsKey(path.substring(resolve.length()))) {
                String file = path.substring(resolve.length());
                ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                if (lfs(file)) {
                    ex.getResponseHeaders().add("Location", "/blobs/" + file);
                    ex.sendResponseHeaders(302, -1);
                } else {
                    send(ex, 200, files.get(file));
                }
            } else if (path.startsWith("/blobs/") && files.containsKey(path.substring(7))) {
                send(ex, 200, files.get(path.substring(7)));
            } else {
                ex.getResponseHeaders().add("X-Error-Code", path.startsWith(api) ? "RevisionNotFound" : "RepoNotFound");
                send(ex, 404, "{\"error\":\"not found\"}");
            }
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        send(ex, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
        }
    }

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void downloadsIntoTheModelsDirectory() throws Exception {
        Path models = tmp.resolve("models");
        Run r = run("download", "acme/mini", "--models-dir", models.toString(), "--endpoint", url(), "--token", "hf_x");
        assertEquals(0, r.exit(), r.err() + r.out());
        Path dir = models.resolve("acme/mini");
        for (String f : List.of("config.json", "tokenizer.json", "onnx/model.onnx")) {
            assertArrayEquals(files.get(f), Files.readAllBytes(dir.resolve(f)), f);
        }
        assertFalse(Files.exists(dir.resolve("pytorch_model.bin")), "weights are left out by default");
        assertTrue(Files.readString(dir.resolve(".pgml-download.json")).contains(COMMIT));
        assertTrue(r.out().contains("acme/mini at main (commit " + COMMIT + "): 3 files"), r.out());
        assertTrue(r.out().contains("ok          onnx/model.onnx (sha256 verified)"), r.out());
        assertTrue(r.out().contains("model directory: " + dir.toAbsolutePath()), r.out());
        assertTrue(requests.contains("/blobs/onnx/model.onnx"), requests.toString());

        // again: nothing to fetch; the models directory may also come from the top-level option
        requests.clear();
        Run again = run("--models-dir", models.toString(), "download", "acme/mini", "--endpoint", url(), "--include", "*.bin");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("1 downloaded") && again.out().contains("3 already complete"), again.out());
        assertTrue(Files.exists(dir.resolve("pytorch_model.bin")));
        assertFalse(requests.stream().anyMatch(p -> p.endsWith("config.json") || p.endsWith("model.onnx")), requests.toString());
    }

    @Test
    void failuresExitNonZeroWithTheMessage() {
        Path models = tmp.resolve("models");
        Run missing = run("download", "acme/absent", "--models-dir", models.toString(), "--endpoint", url());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("error: ") && missing.err().contains("HTTP 404: no such repository"), missing.err());

        Run badRevision = run("download", "acme/mini", "--revision", "nope", "--models-dir", models.toString(), "--endpoint", url());
        assertEquals(1, badRevision.exit());
        assertTrue(badRevision.err().contains("no such revision"), badRevision.err());

        Run badName = run("download", "../etc", "--models-dir", models.toString(), "--endpoint", url());
        assertEquals(2, badName.exit());
        assertTrue(badName.err().contains("invalid model name"), badName.err());
        assertFalse(Files.exists(models));

        Run badEndpoint = run("download", "acme/mini", "--models-dir", models.toString(), "--endpoint", "huggingface.co");
        assertEquals(2, badEndpoint.exit());
        assertTrue(badEndpoint.err().contains("--endpoint must be an http(s) URL"), badEndpoint.err());

        String down = "http://127.0.0.1:" + server.getAddress().getPort();
        server.stop(0);
        Run unreachable = run("download", "acme/mini", "--models-dir", models.toString(), "--endpoint", down);
        assertEquals(1, unreachable.exit());
        assertTrue(unreachable.err().contains("could not reach the Hugging Face hub at " + down), unreachable.err());
    }

    @Test
    void helpDescribesTheCommand() {
        Run help = run("download", "--help");
        assertEquals(0, help.exit());
        for (String s : List.of("MODEL", "--revision", "--models-dir", "--include", "--exclude", "--token", "--endpoint", "HF_TOKEN")) {
            assertTrue(help.out().contains(s), s + " in\n" + help.out());
        }
        Run version = run("download", "--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().startsWith("pgml-sidecar "), version.out());
        Run top = run("--help");
        assertEquals(0, top.exit());
        assertTrue(top.out().contains("download") && top.out().contains("--listen"), top.out());
    }
}
