package io.pgmlsidecar.ml;

import io.pgmlsidecar.ml.store.ModelFileStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the model runtime. Build with {@link #builder()}; {@link #defaults()} reads the usual
 * Hugging Face environment variables ({@code HF_HOME}, {@code HF_HUB_CACHE}, {@code HF_ENDPOINT},
 * {@code HF_TOKEN}, {@code HF_HUB_OFFLINE}) so that a model already in a Python user's cache is found.
 *
 * @param modelsDir        local models directory in Hugging Face layout ({@code <dir>/<org>/<name>/}); null = none
 * @param hfHubCache       the Hugging Face hub cache ({@code $HF_HOME/hub}); downloads land here too
 * @param hubDownload      whether a model that is nowhere else may be downloaded from {@link #hubUrl}
 * @param hubUrl           Hugging Face hub base URL (default https://huggingface.co)
 * @param hubToken         bearer token for gated/private repositories; null = none
 * @param hubConnectTimeout connect timeout of hub requests
 * @param workDir          scratch directory of the runtime (models materialized from the database store)
 * @param modelFileStore   hook for models stored in a database ({@code pgml.files}); null = none
 * @param device           {@code cpu} (default), {@code cuda}, {@code cuda:N} or {@code auto}
 * @param intraOpThreads   ONNX Runtime intra-op threads per session; 0 = ONNX Runtime's default (all cores)
 * @param cacheMaxBytes    bound of the loaded-model cache, weighed by model file sizes; evicted sessions are closed
 * @param batchSize        texts per inference call when one call embeds a long list (kwarg {@code batch_size} overrides)
 * @param maxBatchTexts    most texts the micro-batcher merges from concurrent callers into one inference call
 * @param maxBatchWait     how long the batcher waits for callers that are still tokenizing before it runs a batch
 * @param hubRedirects     where a hub download may be redirected off the hub's own host (the operator's
 *                         {@code --remote-allow}; default public addresses only)
 * @param callMemoryBudget most heap bytes one model call may be predicted to take (an encoder batch's output,
 *                         a training matrix) before it is refused with 54000; 0 = a quarter of the maximum heap
 */
public record MlConfig(
        Path modelsDir,
        Path hfHubCache,
        boolean hubDownload,
        URI hubUrl,
        String hubToken,
        Duration hubConnectTimeout,
        Path workDir,
        ModelFileStore modelFileStore,
        String device,
        int intraOpThreads,
        long cacheMaxBytes,
        int batchSize,
        int maxBatchTexts,
        Duration maxBatchWait,
        io.pgmlsidecar.ml.remote.EndpointAddressPolicy hubRedirects,
        long callMemoryBudget) {

    public static final URI DEFAULT_HUB_URL = URI.create("https://huggingface.co");

    public MlConfig {
        Objects.requireNonNull(hfHubCache, "hfHubCache");
        Objects.requireNonNull(hubUrl, "hubUrl");
        Objects.requireNonNull(hubConnectTimeout, "hubConnectTimeout");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(maxBatchWait, "maxBatchWait");
        if (hubRedirects == null) hubRedirects = io.pgmlsidecar.ml.remote.EndpointAddressPolicy.publicOnly();
        if (callMemoryBudget < 0) throw new IllegalArgumentException("callMemoryBudget must be >= 0: " + callMemoryBudget);
        device = device == null || device.isBlank() ? "cpu" : device.trim().toLowerCase(Locale.ROOT);
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1: " + batchSize);
        if (maxBatchTexts < 1) throw new IllegalArgumentException("maxBatchTexts must be >= 1: " + maxBatchTexts);
        if (cacheMaxBytes < 1) throw new IllegalArgumentException("cacheMaxBytes must be >= 1: " + cacheMaxBytes);
        if (intraOpThreads < 0) throw new IllegalArgumentException("intraOpThreads must be >= 0: " + intraOpThreads);
    }

    /** Defaults, with the Hugging Face environment variables applied. */
    public static MlConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder(System.getenv());
    }

    /** A builder that reads Hugging Face variables from {@code env} instead of the process environment. */
    public static Builder builder(Map<String, String> env) {
        return new Builder(env);
    }

    public Builder toBuilder() {
        Builder b = new Builder(Map.of());
        b.modelsDir = modelsDir;
        b.hfHubCache = hfHubCache;
        b.hubDownload = hubDownload;
        b.hubUrl = hubUrl;
        b.hubToken = hubToken;
        b.hubConnectTimeout = hubConnectTimeout;
        b.workDir = workDir;
        b.modelFileStore = modelFileStore;
        b.device = device;
        b.intraOpThreads = intraOpThreads;
        b.cacheMaxBytes = cacheMaxBytes;
        b.batchSize = batchSize;
        b.maxBatchTexts = maxBatchTexts;
        b.maxBatchWait = maxBatchWait;
        b.hubRedirects = hubRedirects;
        b.callMemoryBudget = callMemoryBudget;
        return b;
    }

    public static final class Builder {
        private Path modelsDir;
        private Path hfHubCache;
        private boolean hubDownload;
        private URI hubUrl;
        private String hubToken;
        private Duration hubConnectTimeout = Duration.ofSeconds(10);
        private Path workDir;
        private ModelFileStore modelFileStore;
        private String device = "cpu";
        private int intraOpThreads;
        private long cacheMaxBytes = 4L << 30;
        private int batchSize = 32;
        private int maxBatchTexts = 64;
        private Duration maxBatchWait = Duration.ofMillis(2);
        private io.pgmlsidecar.ml.remote.EndpointAddressPolicy hubRedirects;
        private long callMemoryBudget;

        private Builder(Map<String, String> env) {
            Path home = Path.of(System.getProperty("user.home", "."));
            String xdg = env.get("XDG_CACHE_HOME");
            Path cacheRoot = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".cache");
            String hfHome = env.get("HF_HOME");
            Path hfHomeDir = hfHome != null && !hfHome.isBlank() ? Path.of(hfHome) : cacheRoot.resolve("huggingface");
            String hubCache = firstNonBlank(env.get("HF_HUB_CACHE"), env.get("HUGGINGFACE_HUB_CACHE"));
            this.hfHubCache = hubCache != null ? Path.of(hubCache) : hfHomeDir.resolve("hub");
            String endpoint = env.get("HF_ENDPOINT");
            this.hubUrl = endpoint != null && !endpoint.isBlank() ? URI.create(endpoint) : DEFAULT_HUB_URL;
            this.hubToken = firstNonBlank(env.get("HF_TOKEN"), env.get("HUGGING_FACE_HUB_TOKEN"));
            String offline = firstNonBlank(env.get("HF_HUB_OFFLINE"), env.get("TRANSFORMERS_OFFLINE"));
            this.hubDownload = !(offline != null && (offline.equals("1") || offline.equalsIgnoreCase("true")));
            this.workDir = cacheRoot.resolve("pgml-sidecar");
        }

        private static String firstNonBlank(String a, String b) {
            if (a != null && !a.isBlank()) return a;
            if (b != null && !b.isBlank()) return b;
            return null;
        }

        public Builder modelsDir(Path v) { modelsDir = v; return this; }
        /** Sets the hub cache as {@code hfHome/hub}. */
        public Builder hfHome(Path v) { hfHubCache = v.resolve("hub"); return this; }
        public Builder hfHubCache(Path v) { hfHubCache = v; return this; }
        public Builder hubDownload(boolean v) { hubDownload = v; return this; }
        public Builder hubUrl(URI v) { hubUrl = v; return this; }
        public Builder hubUrl(String v) { hubUrl = URI.create(v); return this; }
        public Builder hubToken(String v) { hubToken = v; return this; }
        public Builder hubConnectTimeout(Duration v) { hubConnectTimeout = v; return this; }
        public Builder workDir(Path v) { workDir = v; return this; }
        public Builder modelFileStore(ModelFileStore v) { modelFileStore = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder intraOpThreads(int v) { intraOpThreads = v; return this; }
        public Builder cacheMaxBytes(long v) { cacheMaxBytes = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder maxBatchTexts(int v) { maxBatchTexts = v; return this; }
        public Builder maxBatchWait(Duration v) { maxBatchWait = v; return this; }
        public Builder hubRedirects(io.pgmlsidecar.ml.remote.EndpointAddressPolicy v) { hubRedirects = v; return this; }
        public Builder callMemoryBudget(long v) { callMemoryBudget = v; return this; }

        /**
         * Applies string settings, e.g. from a properties file or command-line options. Keys:
         * {@code models-dir, hf-home, hf-hub-cache, hub-url, hub-download, hub-token, work-dir, device,
         * threads, cache-max-bytes, batch-size, batch-max-texts, batch-max-wait-ms, call-memory-budget}. Unknown keys fail.
         */
        public Builder apply(Map<String, String> settings) {
            settings.forEach((k, v) -> {
                switch (k) {
                    case "models-dir" -> modelsDir(v.isBlank() ? null : Path.of(v));
                    case "hf-home" -> hfHome(Path.of(v));
                    case "hf-hub-cache" -> hfHubCache(Path.of(v));
                    case "hub-url" -> hubUrl(v);
                    case "hub-download" -> hubDownload(Boolean.parseBoolean(v));
                    case "hub-token" -> hubToken(v.isBlank() ? null : v);
                    case "work-dir" -> workDir(Path.of(v));
                    case "device" -> device(v);
                    case "threads" -> intraOpThreads(Integer.parseInt(v));
                    case "cache-max-bytes" -> cacheMaxBytes(Long.parseLong(v));
                    case "batch-size" -> batchSize(Integer.parseInt(v));
                    case "batch-max-texts" -> maxBatchTexts(Integer.parseInt(v));
                    case "batch-max-wait-ms" -> maxBatchWait(Duration.ofMillis(Long.parseLong(v)));
                    case "call-memory-budget" -> callMemoryBudget(Long.parseLong(v));
                    default -> throw new IllegalArgumentException("unknown ml setting: " + k);
                }
            });
            return this;
        }

        public MlConfig build() {
            return new MlConfig(modelsDir, hfHubCache, hubDownload, hubUrl, hubToken, hubConnectTimeout,
                    workDir, modelFileStore, device, intraOpThreads, cacheMaxBytes, batchSize, maxBatchTexts,
                    maxBatchWait, hubRedirects, callMemoryBudget);
        }
    }
}
