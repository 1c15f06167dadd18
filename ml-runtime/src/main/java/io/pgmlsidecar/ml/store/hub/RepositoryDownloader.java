package io.pgmlsidecar.ml.store.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads the files of a Hugging Face model repository into a directory, preserving sub-paths
 * ({@code onnx/model.onnx}). The repository is listed with the hub API the way {@code huggingface_hub}
 * does: {@code GET api/models/<repo>/revision/<rev>} pins the revision to a commit, and
 * {@code GET api/models/<repo>/tree/<commit>?recursive=true} gives each file's size, git blob id and,
 * for LFS files, SHA-256. Each selected file is fetched from {@code <repo>/resolve/<commit>/<path>}
 * (LFS files are redirected to a CDN) into {@code <path>.incomplete}, resumed with {@code Range} when a
 * partial file is there, checked (size, and SHA-256 or git blob id), and moved into place. Files already
 * complete are not fetched again. The commit and files are recorded in {@value #MANIFEST}.
 */
public final class RepositoryDownloader {
    public static final String MANIFEST = ".pgml-download.json";
    static final String LOCK = ".pgml-download.lock";
    static final String PARTIAL = ".incomplete";
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PROGRESS_STEP = 1 << 20;

    private final HubHttp hub;

    public RepositoryDownloader(HubHttp hub) {
        this.hub = hub;
    }

    /** What a run did. */
    public record Result(Path dir, String commit, List<RepoFile> downloaded, List<RepoFile> skipped, int filteredOut,
                         long bytesTransferred) {}

    /**
     * Lists {@code repo} at {@code revision}, resolving the revision to its commit.
     *
     * @throws HubException 401/403 (gated, private), 404 (no such repository or revision), network failure
     */
    public RepoListing list(String repo, String revision) throws IOException {
        checkRepo(repo);
        URI infoUri = hub.apiUri(repo, "revision/" + HubHttp.encodeSegment(revision));
        JsonNode info = getJson(infoUri, "repository " + repo + " at revision " + revision);
        String commit = info.path("sha").asText("");
        if (!commit.matches("[0-9a-fA-F]{7,64}")) {
            throw new HubException(0, "the hub's answer for " + infoUri + " names no commit (\"sha\")");
        }
        List<RepoFile> files = new ArrayList<>();
        URI page = hub.apiUri(repo, "tree/" + commit + "?recursive=true");
        while (page != null) {
            HttpResponse<String> r = send(page);
            if (r.statusCode() != 200) {
                throw new HubException(r.statusCode(), "listing " + page + " failed: "
                        + hub.explain(r, "repository " + repo + " at commit " + commit));
            }
            JsonNode entries = parse(r, page);
            if (!entries.isArray()) throw new HubException(0, "the hub's answer for " + page + " is not a list of files");
            for (JsonNode e : entries) {
                if (!e.path("type").asText("file").equals("file")) continue;
                String path = e.path("path").asText("");
                JsonNode lfs = e.get("lfs");
                String sha256 = lfs != null && lfs.hasNonNull("oid") ? lfs.get("oid").asText() : null;
                long size = lfs != null && lfs.hasNonNull("size") ? lfs.get("size").asLong() : e.path("size").asLong(-1);
                files.add(new RepoFile(path, size, e.path("oid").asText(null), sha256));
            }
            URI current = page;
            page = r.headers().firstValue("Link").map(l -> {
                Matcher m = NEXT_LINK.matcher(l);
                return m.find() ? current.resolve(m.group(1)) : null;
            }).orElse(null);
        }
        return new RepoListing(repo, revision, commit, files);
    }

    /**
     * Downloads the files of {@code repo} at {@code revision} that {@code filter} accepts into {@code dir}.
     *
     * @throws HubException listing or a download failed, or a file's checksum is wrong (that file is deleted);
     *                      files completed before the failure stay, a partial one is kept for the next run
     */
    public Result download(String repo, String revision, Path dir, FileFilter filter, DownloadListener listener)
            throws IOException {
        return download(list(repo, revision), dir, filter, listener);
    }

    /** Downloads the files of an earlier {@link #list listing} that {@code filter} accepts into {@code dir}. */
    public Result download(RepoListing listing, Path dir, FileFilter filter, DownloadListener listener) throws IOException {
        String repo = listing.repo();
        String revision = listing.revision();
        List<RepoFile> selected = new ArrayList<>();
        for (RepoFile f : listing.files()) {
            if (filter.accepts(f.path())) selected.add(f);
        }
        int filteredOut = listing.files().size() - selected.size();
        if (selected.isEmpty()) {
            throw new HubException(0, "no file of " + repo + " at " + revision + " matches " + filter + " ("
                    + listing.files().size() + " files in the repository" + (listing.files().isEmpty() ? ""
                    : ", e.g. " + listing.files().stream().limit(5).map(RepoFile::path).toList()) + ")");
        }
        for (RepoFile f : selected) checkPath(f.path());
        listener.listed(listing, selected, filteredOut);

        Files.createDirectories(dir);
        try (FileChannel lockFile = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = tryLock(lockFile, dir)) {
            try {
                return fetchAll(listing, selected, filteredOut, dir, listener);
            } finally {
                Files.deleteIfExists(dir.resolve(LOCK)); // while still holding it: only the holder removes it
            }
        }
    }

    private Result fetchAll(RepoListing listing, List<RepoFile> selected, int filteredOut, Path dir, DownloadListener listener)
            throws IOException {
        Map<String, RepoFile> known = readManifest(dir);
        List<RepoFile> downloaded = new ArrayList<>();
        List<RepoFile> skipped = new ArrayList<>();
        long bytes = 0;
        for (RepoFile f : selected) {
            Path dest = dir.resolve(f.path());
            if (isComplete(dest, f, known.get(f.path()))) {
                skipped.add(f);
                listener.skipped(f, dest);
                continue;
            }
            bytes += fetch(listing, f, dest, listener);
            downloaded.add(f);
            listener.finished(f, dest);
        }
        writeManifest(dir, listing, selected, known);
        return new Result(dir, listing.commit(), downloaded, skipped, filteredOut, bytes);
    }

    private static FileLock tryLock(FileChannel ch, Path dir) throws IOException {
        try {
            FileLock l = ch.tryLock();
            if (l != null) return l;
        } catch (OverlappingFileLockException e) {
            // held by this process
        }
        throw new HubException(0, "another download into " + dir + " is running");
    }

    /** Right size, and the checksum matches (taken on trust from the manifest when it recorded the same file). */
    private static boolean isComplete(Path dest, RepoFile f, RepoFile recorded) throws IOException {
        if (!Files.isRegularFile(dest) || Files.size(dest) != f.size()) return false;
        if (f.equals(recorded)) return true;
        return checksumProblem(dest, f) == null;
    }

    /** Fetches one file; returns the bytes transferred. */
    private long fetch(RepoListing listing, RepoFile f, Path dest, DownloadListener listener) throws IOException {
        URI uri = hub.fileUri(listing.repo(), listing.commit(), f.path());
        Files.createDirectories(dest.getParent());
        Path part = dest.resolveSibling(dest.getFileName() + PARTIAL);
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (have > f.size()) {
            Files.delete(part);
            have = 0;
        }
        long transferred = 0;
        if (have > 0 && have == f.size() && checksumProblem(part, f) != null) {
            Files.delete(part); // complete but wrong: fetch it again
            have = 0;
        }
        if (have == 0 || have < f.size()) {
            transferred = transfer(uri, f, part, have, listener);
        }
        String problem = checksumProblem(part, f);
        if (problem != null) {
            Files.deleteIfExists(part);
            throw new HubException(0, "downloaded " + f.path() + " from " + uri + " but " + problem
                    + "; the file was deleted, run the download again");
        }
        try {
            Files.move(part, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING);
        }
        return transferred;
    }

    private long transfer(URI uri, RepoFile f, Path part, long have, DownloadListener listener) throws IOException {
        Map<String, String> headers = have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of();
        HttpResponse<InputStream> r;
        try {
            r = hub.get(uri, headers, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw networkFailure(uri, part, have, e);
        }
        long from;
        try (InputStream in = r.body()) {
            int s = r.statusCode();
            if (s == 206 && have > 0) {
                String range = r.headers().firstValue("Content-Range").orElse("");
                if (!range.startsWith("bytes " + have + "-")) {
                    throw new HubException(s, "GET " + uri + " with Range bytes=" + have + "- answered Content-Range '"
                            + range + "'; delete " + part + " and run again");
                }
                from = have;
            } else if (s == 200) {
                from = 0; // no Range sent, or the server ignored it: start over
            } else if (s == 416 && have > 0) {
                in.close();
                Files.delete(part); // the partial file is no prefix of this file
                return transfer(uri, f, part, 0, listener);
            } else {
                throw new HubException(s, "GET " + uri + " failed: " + hub.explain(r, f.path() + " (" + uri + ")"));
            }
            listener.started(f, from);
            long done = from;
            long reported = from;
            byte[] buf = new byte[1 << 16];
            try (OutputStream out = from > 0
                    ? Files.newOutputStream(part, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                    : Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (done + n > f.size()) {
                        out.close();
                        Files.deleteIfExists(part);
                        throw new HubException(0, "GET " + uri + " sent more than the " + f.size()
                                + " bytes the listing gives for " + f.path() + "; the file was deleted");
                    }
                    out.write(buf, 0, n);
                    done += n;
                    if (done - reported >= PROGRESS_STEP) {
                        listener.progress(f, done);
                        reported = done;
                    }
                }
            } catch (HubException e) {
                throw e;
            } catch (IOException e) {
                throw networkFailure(uri, part, done, e);
            }
            if (done != reported) listener.progress(f, done);
            if (done < f.size()) {
                throw new HubException(0, "GET " + uri + " ended after " + done + " of " + f.size()
                        + " bytes; the partial file " + part + " is kept and the next run resumes from it");
            }
            return done - from;
        }
    }

    private static HubException networkFailure(URI uri, Path part, long have, IOException e) {
        if (e instanceof HubException h && h.redirectRefused()) return h; // a refusal, not an outage to resume after
        String kept = have > 0 ? "; the partial file " + part + " (" + have + " bytes) is kept and the next run resumes from it"
                : "";
        return new HubException("downloading " + uri + " failed: " + e + kept, e);
    }

    /** Null when {@code file} has {@code f}'s size and checksum, else what is wrong. */
    static String checksumProblem(Path file, RepoFile f) throws IOException {
        long size = Files.size(file);
        if (size != f.size()) return "its size is " + size + " bytes, the hub lists " + f.size();
        if (f.lfs()) {
            String got = digest(file, "SHA-256", null);
            return got.equalsIgnoreCase(f.sha256()) ? null
                    : "its SHA-256 is " + got + ", the hub lists " + f.sha256() + " (checksum mismatch)";
        }
        if (f.oid() == null || !f.oid().matches("[0-9a-fA-F]{40}")) return null; // nothing to check against
        String got = digest(file, "SHA-1", ("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
        return got.equalsIgnoreCase(f.oid()) ? null
                : "its git blob id is " + got + ", the hub lists " + f.oid() + " (checksum mismatch)";
    }

    private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (prefix != null) md.update(prefix);
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private HttpResponse<String> send(URI uri) throws IOException {
        try {
            return hub.getString(uri);
        } catch (IOException e) {
            if (e instanceof HubException h && h.redirectRefused()) throw h;
            throw new HubException("could not reach the Hugging Face hub at " + uri + ": " + e, e);
        }
    }

    private JsonNode getJson(URI uri, String what) throws IOException {
        HttpResponse<String> r = send(uri);
        if (r.statusCode() != 200) {
            throw new HubException(r.statusCode(), "GET " + uri + " failed: " + hub.explain(r, what));
        }
        return parse(r, uri);
    }

    private static JsonNode parse(HttpResponse<String> r, URI uri) throws HubException {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new HubException("the hub's answer for " + uri + " is not JSON: " + e.getMessage(), e);
        }
    }

    static void checkRepo(String repo) throws HubException {
        if (repo == null || !REPO.matcher(repo).matches() || repo.contains("..") || repo.length() > 200) {
            throw new HubException(0, "invalid repository id '" + repo + "': expected e.g. 'org/name'");
        }
    }

    /** A listed path must stay inside the target directory. */
    static void checkPath(String path) throws HubException {
        boolean bad = path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.contains("\0")
                || path.endsWith(PARTIAL) || path.equals(MANIFEST) || path.equals(LOCK);
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) bad = true;
        }
        if (bad) throw new HubException(0, "refusing to write the repository file '" + path + "' (unsafe path)");
    }

    /** The files recorded by an earlier run, by path; empty when there is no (readable) manifest. */
    static Map<String, RepoFile> readManifest(Path dir) {
        Map<String, RepoFile> out = new LinkedHashMap<>();
        Path m = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(m)) return out;
        try {
            for (JsonNode f : JSON.readTree(m.toFile()).path("files")) {
                RepoFile rf = new RepoFile(f.path("path").asText(), f.path("size").asLong(-1),
                        f.path("oid").asText(null), f.hasNonNull("sha256") ? f.get("sha256").asText() : null);
                out.put(rf.path(), rf);
            }
        } catch (IOException | RuntimeException e) {
            out.clear(); // unreadable: every file is checked again
        }
        return out;
    }

    private void writeManifest(Path dir, RepoListing listing, List<RepoFile> selected, Map<String, RepoFile> earlier)
            throws IOException {
        Map<String, RepoFile> files = new LinkedHashMap<>();
        for (RepoFile f : earlier.values()) {
            if (Files.isRegularFile(dir.resolve(f.path()))) files.put(f.path(), f); // from an earlier run with other patterns
        }
        for (RepoFile f : selected) files.put(f.path(), f);
        ObjectNode root = JSON.createObjectNode();
        root.put("repo", listing.repo());
        root.put("revision", listing.revision());
        root.put("commit", listing.commit());
        root.put("endpoint", hub.base().toString());
        root.put("downloaded_at", Instant.now().toString());
        ArrayNode arr = root.putArray("files");
        for (RepoFile f : files.values()) {
            ObjectNode o = arr.addObject();
            o.put("path", f.path());
            o.put("size", f.size());
            if (f.oid() != null) o.put("oid", f.oid());
            if (f.sha256() != null) o.put("sha256", f.sha256());
        }
        Path tmp = dir.resolve(MANIFEST + PARTIAL);
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
        Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
