package io.pgmlsidecar.ml.store.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RepositoryDownloader} against {@link FakeHub}, a local stand-in for the hub and its CDN. */
class RepositoryDownloaderTest {
    static final String REPO = "acme/tiny-t5";

    @TempDir
    Path tmp;
    FakeHub hub;
    Map<String, byte[]> files;
    Path dir;

    @BeforeEach
    void start() throws Exception {
        files = new LinkedHashMap<>();
        files.put("config.json", "{\"model_type\":\"t5\"}".getBytes(StandardCharsets.UTF_8));
        files.put("generation_config.json", "{\"max_length\":20}".getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer.json", "{\"version\":\"1.0\"}".getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer_config.json", "{}".getBytes(StandardCharsets.UTF_8));
        files.put("special_tokens_map.json", "{\"eos_token\":\"</s>\"}".getBytes(StandardCharsets.UTF_8));
        files.put("spiece.model", random(1, 5000));
        files.put("onnx/encoder_model.onnx", random(2, 3 * 1024 * 1024 + 17));
        files.put("onnx/decoder_model_merged.onnx", random(3, 40_000));
        files.put("onnx/decoder_model_merged.onnx_data", random(4, 70_000));
        files.put("model.safetensors", random(5, 90_000));
        files.put("README.md", "# tiny".getBytes(StandardCharsets.UTF_8));
        files.put(".gitattributes", "*.onnx filter=lfs".getBytes(StandardCharsets.UTF_8));
        hub = new FakeHub().repo(REPO, files);
        dir = tmp.resolve("models").resolve(REPO);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    RepositoryDownloader downloader(String token) {
        // the stand-in CDN is on loopback too: allowed as an operator would allow a private mirror's CDN
        return new RepositoryDownloader(new HubHttp(URI.create(hub.url()), token, Duration.ofSeconds(5),
                io.pgmlsidecar.ml.remote.EndpointAddressPolicy.allowing("127.0.0.1")));
    }

    RepositoryDownloader.Result download(FileFilter filter, DownloadListener listener) throws Exception {
        return downloader("hf_secret").download(REPO, "main", dir, filter, listener);
    }

    RepositoryDownloader.Result download() throws Exception {
        return download(FileFilter.defaults(), DownloadListener.NONE);
    }

    static final List<String> DEFAULT_FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "spiece.model", "onnx/encoder_model.onnx",
            "onnx/decoder_model_merged.onnx", "onnx/decoder_model_merged.onnx_data");

    /** Every file under dir (relative, sorted), bookkeeping files included. */
    List<String> tree() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    @Test
    void downloadsTheDefaultFilesWithSubPathsFollowingLfsRedirectsAndRecordsTheCommit() throws Exception {
        hub.pageSize = 4; // the tree listing comes in pages linked with Link: rel="next"
        List<String> events = new ArrayList<>();
        long[] lastProgress = {0};
        RepositoryDownloader.Result r = download(FileFilter.defaults(), new DownloadListener() {
            @Override
            public void listed(RepoListing listing, List<RepoFile> selected, int filteredOut) {
                events.add("listed " + listing.commit() + " " + selected.size() + " " + filteredOut);
            }

            @Override
            public void started(RepoFile file, long from) {
                events.add("started " + file.path() + " " + from);
            }

            @Override
            public void progress(RepoFile file, long done) {
                if (file.path().equals("onnx/encoder_model.onnx")) lastProgress[0] = done;
            }

            @Override
            public void finished(RepoFile file, Path dest) {
                events.add("finished " + file.path());
            }
        });

        assertEquals(FakeHub.COMMIT, r.commit());
        assertEquals(3, r.filteredOut(), "safetensors weights, README.md and .gitattributes are left out");
        List<String> expected = new ArrayList<>(DEFAULT_FILES);
        expected.add(RepositoryDownloader.MANIFEST);
        assertEquals(expected.stream().sorted().toList(), tree(), "no .incomplete or lock file is left behind");
        for (String f : DEFAULT_FILES) assertArrayEquals(files.get(f), Files.readAllBytes(dir.resolve(f)), f);
        assertEquals(DEFAULT_FILES.size(), r.downloaded().size());
        assertEquals(files.get("onnx/encoder_model.onnx").length, lastProgress[0]);
        assertEquals("listed " + FakeHub.COMMIT + " 9 3", events.get(0));
        assertTrue(events.contains("started onnx/encoder_model.onnx 0") && events.contains("finished onnx/encoder_model.onnx"),
                events.toString());

        // files are fetched at the commit; LFS files come from the CDN, which never sees the token
        List<FakeHub.Request> hubRequests = hub.requestsTo("hub");
        assertTrue(hubRequests.stream().allMatch(q -> "Bearer hf_secret".equals(q.auth())), hubRequests.toString());
        assertTrue(hubRequests.stream().anyMatch(q -> q.path().equals("/acme/tiny-t5/resolve/" + FakeHub.COMMIT
                + "/onnx/decoder_model_merged.onnx_data")));
        assertEquals("/api/models/acme/tiny-t5/revision/main", hubRequests.get(0).path());
        assertTrue(hubRequests.stream().filter(q -> q.path().startsWith("/api/models/acme/tiny-t5/tree/" + FakeHub.COMMIT)).count() > 1,
                "the listing was paged");
        List<FakeHub.Request> cdn = hub.requestsTo("cdn");
        assertEquals(3, cdn.size(), cdn.toString()); // the three ONNX files
        assertTrue(cdn.stream().allMatch(q -> q.auth() == null));
        assertFalse(hub.contentRequests().stream().anyMatch(p -> p.contains("safetensors") || p.contains("README")));

        JsonNode manifest = new ObjectMapper().readTree(dir.resolve(RepositoryDownloader.MANIFEST).toFile());
        assertEquals(FakeHub.COMMIT, manifest.path("commit").asText());
        assertEquals("main", manifest.path("revision").asText());
        assertEquals(REPO, manifest.path("repo").asText());
        assertEquals(DEFAULT_FILES.size(), manifest.path("files").size());
        JsonNode enc = null;
        for (JsonNode f : manifest.path("files")) if (f.path("path").asText().equals("onnx/encoder_model.onnx")) enc = f;
        assertEquals(FakeHub.sha256(files.get("onnx/encoder_model.onnx")), enc.path("sha256").asText());
    }

    @Test
    void aRerunSkipsCompleteFilesWithoutFetchingThem() throws Exception {
        download();
        hub.requests.clear();
        RepositoryDownloader.Result again = download();
        assertEquals(List.of(), again.downloaded());
        assertEquals(DEFAULT_FILES.size(), again.skipped().size());
        assertEquals(List.of(), hub.contentRequests(), "only the listing is requested");

        // without the manifest, files are checked by hash; a damaged one (same size) is fetched again, alone
        Files.delete(dir.resolve(RepositoryDownloader.MANIFEST));
        byte[] damaged = files.get("onnx/decoder_model_merged.onnx").clone();
        damaged[100] ^= 1;
        Files.write(dir.resolve("onnx/decoder_model_merged.onnx"), damaged);
        Files.writeString(dir.resolve("config.json"), "{}"); // wrong size
        hub.requests.clear();
        RepositoryDownloader.Result third = download();
        assertEquals(List.of("config.json", "onnx/decoder_model_merged.onnx"),
                third.downloaded().stream().map(RepoFile::path).sorted().toList());
        assertArrayEquals(files.get("onnx/decoder_model_merged.onnx"), Files.readAllBytes(dir.resolve("onnx/decoder_model_merged.onnx")));
        assertArrayEquals(files.get("config.json"), Files.readAllBytes(dir.resolve("config.json")));
    }

    @Test
    void aPartialFileIsResumedWithARangeRequest() throws Exception {
        byte[] full = files.get("onnx/encoder_model.onnx");
        Path part = dir.resolve("onnx/encoder_model.onnx.incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, Arrays.copyOf(full, 1_000_001));
        long[] startedAt = {-1};
        RepositoryDownloader.Result r = download(FileFilter.defaults(), new DownloadListener() {
            @Override
            public void started(RepoFile file, long from) {
                if (file.path().equals("onnx/encoder_model.onnx")) startedAt[0] = from;
            }
        });
        assertEquals(1_000_001, startedAt[0]);
        assertArrayEquals(full, Files.readAllBytes(dir.resolve("onnx/encoder_model.onnx")));
        assertFalse(Files.exists(part));
        FakeHub.Request ranged = hub.requestsTo("cdn").stream().filter(q -> q.range() != null).findFirst().orElseThrow();
        assertEquals("bytes=1000001-", ranged.range());
        assertTrue(ranged.path().endsWith(FakeHub.sha256(full)));
        assertEquals(full.length - 1_000_001, r.bytesTransferred()
                - DEFAULT_FILES.stream().filter(f -> !f.equals("onnx/encoder_model.onnx")).mapToLong(f -> files.get(f).length).sum());
    }

    @Test
    void aServerIgnoringRangeRestartsTheFile() throws Exception {
        hub.ignoreRange = true;
        byte[] full = files.get("onnx/encoder_model.onnx");
        Path part = dir.resolve("onnx/encoder_model.onnx.incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, Arrays.copyOf(full, 5000));
        download();
        assertTrue(hub.requestsTo("cdn").stream().anyMatch(q -> "bytes=5000-".equals(q.range())));
        assertArrayEquals(full, Files.readAllBytes(dir.resolve("onnx/encoder_model.onnx")), "200: written from the start");
    }

    @Test
    void aDroppedConnectionKeepsThePartialFileAndTheNextRunResumes() throws Exception {
        byte[] full = files.get("onnx/encoder_model.onnx");
        hub.dropAfter.put("onnx/encoder_model.onnx", 2_000_000);
        HubException e = assertThrows(HubException.class, this::download);
        assertTrue(e.getMessage().contains("/acme/tiny-t5/resolve/" + FakeHub.COMMIT + "/onnx/encoder_model.onnx"), e.getMessage());
        assertTrue(e.getMessage().contains("is kept and the next run resumes from it"), e.getMessage());
        Path part = dir.resolve("onnx/encoder_model.onnx.incomplete");
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept <= 2_000_000, "kept " + kept);
        assertArrayEquals(Arrays.copyOf(full, (int) kept), Files.readAllBytes(part));
        assertFalse(Files.exists(dir.resolve("onnx/encoder_model.onnx")));

        hub.requests.clear();
        download();
        assertArrayEquals(full, Files.readAllBytes(dir.resolve("onnx/encoder_model.onnx")));
        assertTrue(hub.requestsTo("cdn").stream().anyMatch(q -> ("bytes=" + kept + "-").equals(q.range())), hub.requests.toString());
    }

    @Test
    void aChecksumMismatchDeletesTheFileAndSaysSo() throws Exception {
        byte[] bad = files.get("onnx/decoder_model_merged.onnx_data").clone();
        bad[0] ^= 0x55;
        hub.corrupt.put("onnx/decoder_model_merged.onnx_data", bad);
        HubException e = assertThrows(HubException.class, this::download);
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains("onnx/decoder_model_merged.onnx_data")
                && e.getMessage().contains(FakeHub.sha256(files.get("onnx/decoder_model_merged.onnx_data"))), e.getMessage());
        assertFalse(Files.exists(dir.resolve("onnx/decoder_model_merged.onnx_data")));
        assertFalse(Files.exists(dir.resolve("onnx/decoder_model_merged.onnx_data.incomplete")));
        assertFalse(Files.exists(dir.resolve(RepositoryDownloader.MANIFEST)), "no manifest for an incomplete download");
    }

    @Test
    void includeAndExcludePatterns() throws Exception {
        RepositoryDownloader.Result r = download(FileFilter.defaults(List.of("*.safetensors"), List.of("*.onnx_data", "onnx/decoder*")),
                DownloadListener.NONE);
        List<String> got = tree();
        assertTrue(got.contains("model.safetensors"), got.toString());
        assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(dir.resolve("model.safetensors")));
        assertTrue(got.contains("onnx/encoder_model.onnx"));
        assertFalse(got.contains("onnx/decoder_model_merged.onnx") || got.contains("onnx/decoder_model_merged.onnx_data"), got.toString());
        assertEquals(4, r.filteredOut());

        HubException none = assertThrows(HubException.class,
                () -> download(new FileFilter(List.of("*.gguf"), List.of()), DownloadListener.NONE));
        assertTrue(none.getMessage().contains("no file of acme/tiny-t5 at main matches"), none.getMessage());
    }

    @Test
    void globsMatchLikeFnmatch() {
        FileFilter d = FileFilter.defaults();
        for (String yes : List.of("config.json", "1_Pooling/config.json", "onnx/model.onnx", "model.onnx", "onnx/model.onnx_data",
                "sentencepiece.bpe.model", "vocab.txt", "vocab.json", "merges.txt", "onnx/anything.bin")) {
            assertTrue(d.accepts(yes), yes);
        }
        for (String no : List.of("model.safetensors", "pytorch_model.bin", "tf_model.h5", "flax_model.msgpack", "README.md",
                ".gitattributes", "rust_model.ot")) {
            assertFalse(d.accepts(no), no);
        }
        FileFilter f = new FileFilter(List.of("onnx/", "model-0000[12]-of-*.safetensors", "a?c"), List.of());
        assertTrue(f.accepts("onnx/x/y.onnx"));
        assertTrue(f.accepts("model-00002-of-00003.safetensors"));
        assertFalse(f.accepts("model-00003-of-00003.safetensors"));
        assertTrue(f.accepts("abc"));
        assertFalse(f.accepts("ab/c.x"));
    }

    @Test
    void missingRepositoryOrRevisionIs404() throws Exception {
        HubException rev = assertThrows(HubException.class,
                () -> downloader("hf_secret").download(REPO, "v9", dir, FileFilter.defaults(), DownloadListener.NONE));
        assertEquals(404, rev.status());
        assertTrue(rev.getMessage().contains("no such revision") && rev.getMessage().contains("v9"), rev.getMessage());

        HubException repo = assertThrows(HubException.class,
                () -> downloader("hf_secret").download("acme/absent", "main", dir, FileFilter.defaults(), DownloadListener.NONE));
        assertEquals(404, repo.status());
        assertTrue(repo.getMessage().contains("no such repository: repository acme/absent"), repo.getMessage());
        assertFalse(Files.exists(dir));
    }

    @Test
    void privateRepositoryNeedsTheToken() throws Exception {
        hub.tokens.put(REPO, "hf_secret");
        HubException e = assertThrows(HubException.class,
                () -> downloader(null).download(REPO, "main", dir, FileFilter.defaults(), DownloadListener.NONE));
        assertEquals(401, e.status());
        assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("HF_TOKEN"), e.getMessage());
        HubException wrong = assertThrows(HubException.class,
                () -> downloader("hf_wrong").download(REPO, "main", dir, FileFilter.defaults(), DownloadListener.NONE));
        assertTrue(wrong.getMessage().contains("a token was sent"), wrong.getMessage());
        assertEquals(DEFAULT_FILES.size(), download().downloaded().size());
    }

    @Test
    void aSecondDownloadIntoTheSameDirectoryIsRefused() throws Exception {
        Files.createDirectories(dir);
        Path lockPath = dir.resolve(RepositoryDownloader.LOCK);
        try (var ch = java.nio.channels.FileChannel.open(lockPath, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); var held = ch.lock()) {
            HubException e = assertThrows(HubException.class, this::download);
            assertTrue(e.getMessage().contains("another download into " + dir + " is running"), e.getMessage());
            assertTrue(Files.exists(lockPath), "the holder's lock file stays");
        }
        assertEquals(DEFAULT_FILES.size(), download().downloaded().size());
        assertFalse(Files.exists(lockPath));
    }

    @Test
    void anUnreachableHubNamesTheUrl() {
        String url = hub.url();
        hub.close();
        HubException e = assertThrows(HubException.class, this::download);
        assertTrue(e.getMessage().contains("could not reach the Hugging Face hub at " + url + "/api/models/acme/tiny-t5/revision/main"),
                e.getMessage());
    }

    @Test
    void unsafePathsAndNamesAreRefused() {
        assertThrows(HubException.class, () -> RepositoryDownloader.checkPath("../evil"));
        assertThrows(HubException.class, () -> RepositoryDownloader.checkPath("onnx/../../evil"));
        assertThrows(HubException.class, () -> RepositoryDownloader.checkPath("/etc/passwd"));
        assertThrows(HubException.class, () -> RepositoryDownloader.checkRepo("a/b/c"));
        assertThrows(HubException.class, () -> RepositoryDownloader.checkRepo("../x"));
        assertNull(assertDoesNotThrow("onnx/model.onnx"));
        assertEquals("refs%2Fpr%2F1", HubHttp.encodeSegment("refs/pr/1"));
        assertEquals("onnx/a%20b.onnx", HubHttp.encodePath("onnx/a b.onnx"));
    }

    private static Void assertDoesNotThrow(String path) {
        try {
            RepositoryDownloader.checkPath(path);
            return null;
        } catch (HubException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The hub's own host is the operator's choice (here loopback), but a redirect off it must pass the remote-endpoint
     * address policy: to the cloud metadata service, a metadata name, another loopback address not on the allow list,
     * or (with the default policy) the loopback CDN, it is refused before any connection, with a tested message.
     */
    @Test
    void redirectsToNonPublicAddressesAreRefusedBeforeConnecting() throws Exception {
        com.sun.net.httpserver.HttpServer other = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.2", 0), 0);
        List<String> reached = new java.util.concurrent.CopyOnWriteArrayList<>();
        other.createContext("/", ex -> {
            reached.add(ex.getRequestURI().toString());
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        other.start();
        try {
            for (String target : List.of("http://169.254.169.254", "http://metadata.google.internal",
                    "http://127.0.0.2:" + other.getAddress().getPort(), "http://[::ffff:169.254.169.254]", "http://10.1.2.3")) {
                hub.lfsRedirectBase = target;
                HubException e = assertThrows(HubException.class, this::download, target);
                assertTrue(e.redirectRefused(), target + ": " + e);
                assertTrue(e.getMessage().contains("redirected to " + target) && e.getMessage().contains("non-public address"),
                        e.getMessage());
                assertFalse(e.getMessage().contains("hf_secret"), "the token is never in a message");
            }
            assertEquals(List.of(), reached, "no request reached the refused address");
            try (Stream<Path> files = Files.walk(dir)) {
                assertTrue(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                        .noneMatch(n -> n.endsWith(".onnx") || n.endsWith(".onnx_data")), "no LFS file was written");
            }

            // the operator allows that other address: the same redirect is followed (and reaches it)
            hub.lfsRedirectBase = "http://127.0.0.2:" + other.getAddress().getPort();
            RepositoryDownloader allowing = new RepositoryDownloader(new HubHttp(URI.create(hub.url()), null,
                    Duration.ofSeconds(5), io.pgmlsidecar.ml.remote.EndpointAddressPolicy.allowing("127.0.0.1,127.0.0.2")));
            assertThrows(HubException.class, () -> allowing.download(REPO, "main", dir, FileFilter.defaults(), DownloadListener.NONE));
            assertFalse(reached.isEmpty(), "an allowed redirect is followed");
        } finally {
            other.stop(0);
        }

        // the default policy (public addresses only) refuses the loopback CDN, while the loopback hub itself is served
        hub.lfsRedirectBase = null;
        RepositoryDownloader publicOnly = new RepositoryDownloader(new HubHttp(URI.create(hub.url()), null, Duration.ofSeconds(5)));
        HubException e = assertThrows(HubException.class,
                () -> publicOnly.download(REPO, "main", dir, FileFilter.defaults(), DownloadListener.NONE));
        assertTrue(e.redirectRefused() && e.getMessage().contains("(127.0.0.1)"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("config.json")), "files the hub serves itself are downloaded");
    }
}
