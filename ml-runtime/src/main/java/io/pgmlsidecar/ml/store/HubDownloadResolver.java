package io.pgmlsidecar.ml.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.store.hub.DownloadListener;
import io.pgmlsidecar.ml.store.hub.FileFilter;
import io.pgmlsidecar.ml.store.hub.HubException;
import io.pgmlsidecar.ml.store.hub.HubHttp;
import io.pgmlsidecar.ml.store.hub.RepoFile;
import io.pgmlsidecar.ml.store.hub.RepoListing;
import io.pgmlsidecar.ml.store.hub.RepositoryDownloader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a model from the Hugging Face hub ({@code <base>/<org>/<name>/resolve/main/<file>}) into
 * the hub cache in {@code huggingface_hub}'s layout ({@code models--org--name/snapshots/<commit>/},
 * {@code refs/main}), so {@link HfCacheResolver} finds it next time, offline. Fetched: {@code config.json},
 * {@code tokenizer.json}, the ONNX graph ({@code onnx/model.onnx}, else {@code model.onnx}, with its
 * {@code *_data} external-data file if any) and the optional tokenizer/sentence-transformers configs.
 * A repository without an ONNX graph is reported with the Optimum export command.
 *
 * <p>{@link #directory} fetches a whole multi-file model (a transformer task model) the same way, with
 * {@link RepositoryDownloader}, into the snapshot of the repository's current commit.
 */
public final class HubDownloadResolver implements ModelResolver {
    private static final Logger log = LoggerFactory.getLogger(HubDownloadResolver.class);
    private static final List<String> OPTIONAL = List.of("tokenizer_config.json", "special_tokens_map.json",
            "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json");

    private final URI base;
    private final Path hub;
    private final boolean enabled;
    private final HubHttp http;
    private final RepositoryDownloader downloader;

    /** A resolver whose redirects off the hub's host may go to public addresses only. */
    public HubDownloadResolver(URI baseUrl, Path hubCacheDir, String token, boolean enabled, Duration connectTimeout) {
        this(baseUrl, hubCacheDir, token, enabled, connectTimeout, io.pgmlsidecar.ml.remote.EndpointAddressPolicy.publicOnly());
    }

    public HubDownloadResolver(URI baseUrl, Path hubCacheDir, String token, boolean enabled, Duration connectTimeout,
            io.pgmlsidecar.ml.remote.EndpointAddressPolicy redirects) {
        this.http = new HubHttp(baseUrl, token, connectTimeout, redirects);
        this.downloader = new RepositoryDownloader(http);
        this.base = http.base();
        this.hub = hubCacheDir;
        this.enabled = enabled;
    }

    @Override
    public String describe() {
        return "Hugging Face hub " + base + (enabled ? "" : " (download disabled)");
    }

    URI fileUri(String model, String revision, String file) {
        return http.fileUri(model, revision, file);
    }

    @Override
    public Optional<ModelSource> resolve(String modelName, Lookup lookup) throws IOException {
        String place = "Hugging Face hub " + base + modelName;
        if (!enabled) {
            lookup.missed(place, "download disabled (offline; hub-download=false or HF_HUB_OFFLINE=1)");
            return Optional.empty();
        }
        Path repo = hub.resolve(HfCacheResolver.repoFolder(modelName));
        Path snapshots = repo.resolve("snapshots");
        Files.createDirectories(hub);
        Path tmp = hub.resolve(".pgml-download-" + UUID.randomUUID()); // same file system: moved into place at the end
        Files.createDirectories(tmp);
        try {
            HttpResponse<Path> config;
            try {
                config = get(fileUri(modelName, "main", "config.json"), tmp.resolve("config.json"));
            } catch (HubException e) {
                if (e.redirectRefused()) throw e;
                lookup.missed(place, "unreachable: " + e);
                return Optional.empty();
            } catch (IOException e) {
                lookup.missed(place, "unreachable: " + e);
                return Optional.empty();
            }
            int status = config.statusCode();
            if (status != 200) {
                lookup.missed(place, switch (status) {
                    case 401, 403 -> "HTTP " + status + ": gated or private repository; set HF_TOKEN / hub-token";
                    case 404 -> "HTTP 404: no such repository";
                    default -> "HTTP " + status;
                });
                return Optional.empty();
            }
            String commit = config.headers().firstValue("X-Repo-Commit").orElse("main");
            if (!commit.matches("[A-Za-z0-9._-]+")) commit = "main";
            log.info("downloading model '{}' from {} (revision {})", modelName, base, commit);

            if (!fetch(modelName, commit, "tokenizer.json", tmp)) {
                throw new ModelFormatException("the hub repository '" + modelName + "' has no tokenizer.json. "
                        + ModelFormatException.exportHint(modelName, "<models-dir>/" + modelName));
            }
            String onnx = null;
            for (String c : List.of("onnx/model.onnx", "model.onnx")) {
                if (fetch(modelName, commit, c, tmp)) {
                    onnx = c;
                    break;
                }
            }
            if (onnx == null) {
                throw new ModelFormatException("the hub repository '" + modelName + "' has no ONNX graph (looked for "
                        + "onnx/model.onnx, model.onnx). "
                        + ModelFormatException.exportHint(modelName, "<models-dir>/" + modelName));
            }
            fetch(modelName, commit, onnx + "_data", tmp);
            for (String f : OPTIONAL) fetch(modelName, commit, f, tmp);
            for (String f : poolingConfigs(tmp)) fetch(modelName, commit, f, tmp);

            Files.createDirectories(snapshots);
            Path snapshot = snapshots.resolve(commit);
            if (Files.isDirectory(snapshot) && HfModelDirectory.findOnnx(snapshot) != null) {
                StoredModelResolver.deleteTree(tmp); // another process got there first
            } else {
                StoredModelResolver.deleteTree(snapshot);
                Files.move(tmp, snapshot, StandardCopyOption.ATOMIC_MOVE);
            }
            Path refs = repo.resolve("refs");
            Files.createDirectories(refs);
            Files.writeString(refs.resolve("main"), commit, StandardCharsets.UTF_8);
            return Optional.of(HfModelDirectory.open(modelName, snapshot, "downloaded from " + base + modelName
                    + " into " + snapshot));
        } finally {
            StoredModelResolver.deleteTree(tmp);
        }
    }

    /**
     * Downloads the repository's default files ({@link FileFilter#defaults()}: configs, tokenizer files, ONNX
     * graphs) at {@code main} into the cache snapshot of its commit, and points {@code refs/main} at it. An
     * interrupted download is resumed from {@code snapshots/.pgml-<commit>.partial/} next time.
     */
    @Override
    public Optional<Path> directory(String modelName, Lookup lookup) throws IOException {
        String place = "Hugging Face hub " + base + modelName;
        if (!enabled) {
            lookup.missed(place, "download disabled (offline; hub-download=false or HF_HUB_OFFLINE=1)");
            return Optional.empty();
        }
        RepoListing listing;
        try {
            listing = downloader.list(modelName, "main");
        } catch (HubException e) {
            if (e.redirectRefused()) throw e;
            lookup.missed(place, e.getMessage());
            return Optional.empty();
        }
        Path repo = hub.resolve(HfCacheResolver.repoFolder(modelName));
        Path snapshots = repo.resolve("snapshots");
        Path snapshot = snapshots.resolve(listing.commit());
        if (!Files.isDirectory(snapshot)) {
            Path partial = snapshots.resolve(".pgml-" + listing.commit() + ".partial"); // hidden from HfCacheResolver
            log.info("downloading model repository '{}' from {} (commit {})", modelName, base, listing.commit());
            downloader.download(listing, partial, FileFilter.defaults(), new DownloadListener() {
                @Override
                public void finished(RepoFile file, Path dest) {
                    log.info("downloaded {} of '{}' ({} bytes)", file.path(), modelName, file.size());
                }
            });
            try {
                Files.move(partial, snapshot, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                if (!Files.isDirectory(snapshot)) throw e;
                StoredModelResolver.deleteTree(partial); // another process got there first
            }
        }
        Path refs = repo.resolve("refs");
        Files.createDirectories(refs);
        Files.writeString(refs.resolve("main"), listing.commit(), StandardCharsets.UTF_8);
        return Optional.of(snapshot);
    }

    /** Pooling config paths named by modules.json (default 1_Pooling/config.json). */
    private static List<String> poolingConfigs(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        JsonNode modules = HfModelDirectory.readJson(dir.resolve("modules.json"));
        if (modules != null && modules.isArray()) {
            for (JsonNode m : modules) {
                if (m.path("type").asText("").endsWith(".Pooling")) {
                    String p = m.path("path").asText("1_Pooling");
                    if (p.matches("[A-Za-z0-9_.-]+")) out.add(p + "/config.json");
                }
            }
        } else {
            out.add("1_Pooling/config.json");
        }
        return out;
    }

    /** Downloads one file; false on 404 (or any non-200 status), true when written. */
    private boolean fetch(String model, String revision, String file, Path dir) throws IOException {
        Path dest = dir.resolve(file);
        Files.createDirectories(dest.getParent());
        HttpResponse<Path> r = get(fileUri(model, revision, file), dest);
        if (r.statusCode() == 200) return true;
        Files.deleteIfExists(dest);
        if (r.statusCode() != 404) log.warn("GET {} answered HTTP {}", fileUri(model, revision, file), r.statusCode());
        return false;
    }

    /** GET into {@code dest}, following the hub's redirects (the token only to the hub's host). */
    private HttpResponse<Path> get(URI uri, Path dest) throws IOException {
        return http.get(uri, Map.of(), HttpResponse.BodyHandlers.ofFile(dest));
    }
}
