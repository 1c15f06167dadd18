package io.pgmlsidecar.deploy;

import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.store.ModelLocator;
import io.pgmlsidecar.ml.store.hub.DownloadListener;
import io.pgmlsidecar.ml.store.hub.FileFilter;
import io.pgmlsidecar.ml.store.hub.HubHttp;
import io.pgmlsidecar.ml.store.hub.RepoFile;
import io.pgmlsidecar.ml.store.hub.RepoListing;
import io.pgmlsidecar.ml.store.hub.RepositoryDownloader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code pgml-sidecar download MODEL}: fetches a Hugging Face model repository into the models directory. */
@Command(name = "download", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Downloads a Hugging Face model repository's files into <models-dir>/<org>/<name>/, where the sidecar "
                + "finds them offline. Interrupted downloads resume; files are checked against the hub's sizes and SHA-256.",
                "By default: JSON configs, tokenizer files (tokenizer.json, *.model, vocab.*, merges.txt) and ONNX graphs with "
                        + "their external data (*.onnx, *.onnx_data, onnx/*); PyTorch/TensorFlow/Flax/safetensors weights only "
                        + "with --include."})
final class DownloadCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Hugging Face repository id, e.g. Xenova/t5-small.")
    String model;

    @Option(names = "--revision", defaultValue = "main", description = "Branch, tag or commit (default ${DEFAULT-VALUE}).")
    String revision;

    @Option(names = "--models-dir", description = "Models directory (default: the sidecar's --models-dir / PGML_SIDECAR_MODELS_DIR).")
    Path modelsDir;

    @Option(names = "--include", paramLabel = "GLOB",
            description = "Also download files matching GLOB (fnmatch: * matches across /), e.g. '*.safetensors'. Repeatable.")
    List<String> include = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "Leave out files matching GLOB, e.g. 'onnx/*_fp16*'. Repeatable.")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--no-defaults", description = "Download only what --include names, not the default files.")
    boolean noDefaults;

    @Option(names = "--token", defaultValue = "${env:HF_TOKEN}", paramLabel = "TOKEN",
            description = "Hugging Face token for gated or private repositories (env HF_TOKEN).")
    String token;

    @Option(names = "--endpoint", defaultValue = "${env:HF_ENDPOINT:-https://huggingface.co}", paramLabel = "URL",
            description = "Hub URL (env HF_ENDPOINT; default https://huggingface.co).")
    String endpoint;

    @Option(names = "--remote-allow", defaultValue = "${env:PGML_SIDECAR_REMOTE_ALLOW}", paramLabel = "LIST",
            description = "Non-public addresses the hub may redirect to (its own host is always allowed), comma-separated: "
                    + "CIDR blocks, addresses, host names. Default: public addresses only (env PGML_SIDECAR_REMOTE_ALLOW).")
    String remoteAllow;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path root = modelsDir != null ? modelsDir : parent != null ? parent.modelsDir : null;
        if (root == null) {
            err.println("error: no models directory: give --models-dir DIR (or set PGML_SIDECAR_MODELS_DIR)");
            err.flush();
            return 2;
        }
        String name;
        try {
            name = ModelLocator.validateName(model);
        } catch (MlException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        }
        if (noDefaults && include.isEmpty()) {
            err.println("error: --no-defaults needs at least one --include");
            err.flush();
            return 2;
        }
        FileFilter filter = noDefaults ? new FileFilter(include, exclude) : FileFilter.defaults(include, exclude);
        URI hubUrl;
        try {
            hubUrl = new URI(endpoint.strip());
        } catch (java.net.URISyntaxException e) {
            hubUrl = null;
        }
        if (hubUrl == null || hubUrl.getHost() == null || !("http".equalsIgnoreCase(hubUrl.getScheme())
                || "https".equalsIgnoreCase(hubUrl.getScheme()))) {
            err.println("error: --endpoint must be an http(s) URL such as https://huggingface.co, not '" + endpoint + "'");
            err.flush();
            return 2;
        }
        io.pgmlsidecar.ml.remote.EndpointAddressPolicy redirects;
        try {
            redirects = io.pgmlsidecar.ml.remote.EndpointAddressPolicy.allowing(remoteAllow);
        } catch (IllegalArgumentException e) {
            err.println("error: --remote-allow: " + e.getMessage());
            err.flush();
            return 2;
        }
        String hubToken = token != null && !token.isBlank() ? token : System.getenv("HUGGING_FACE_HUB_TOKEN");
        Path dir = root.resolve(name).toAbsolutePath();
        RepositoryDownloader downloader = new RepositoryDownloader(
                new HubHttp(hubUrl, hubToken, Duration.ofSeconds(30), redirects));
        try {
            RepositoryDownloader.Result r = downloader.download(name, revision, dir, filter, new Printer(out));
            long total = r.downloaded().stream().mapToLong(RepoFile::size).sum() + r.skipped().stream().mapToLong(RepoFile::size).sum();
            out.println("done: " + name + " at commit " + r.commit() + ": " + (r.downloaded().size() + r.skipped().size())
                    + " files (" + size(total) + "), " + r.downloaded().size() + " downloaded (" + size(r.bytesTransferred())
                    + " transferred), " + r.skipped().size() + " already complete");
            out.println("model directory: " + dir);
            out.flush();
            return 0;
        } catch (IOException e) {
            out.flush();
            err.println("error: " + e.getMessage());
            if (e instanceof io.pgmlsidecar.ml.store.hub.HubException h && h.redirectRefused()) {
                err.println("hint: " + io.pgmlsidecar.ml.store.hub.HubException.REDIRECT_HINT);
            }
            err.flush();
            return 1;
        }
    }

    static String size(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    /** One line per file, and a line every 10% for large files. */
    private static final class Printer implements DownloadListener {
        private static final long LARGE = 16L << 20;
        private final PrintWriter out;
        private int lastTenth;

        Printer(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void listed(RepoListing listing, List<RepoFile> selected, int filteredOut) {
            out.println(listing.repo() + " at " + listing.revision() + " (commit " + listing.commit() + "): "
                    + selected.size() + " files selected, " + size(selected.stream().mapToLong(RepoFile::size).sum())
                    + (filteredOut > 0 ? "; " + filteredOut + " left out by the patterns (--include to add)" : ""));
            out.flush();
        }

        @Override
        public void skipped(RepoFile file, Path dest) {
            out.println("  complete    " + file.path());
            out.flush();
        }

        @Override
        public void started(RepoFile file, long from) {
            lastTenth = 0;
            out.println("  downloading " + file.path() + " (" + size(file.size()) + ")"
                    + (from > 0 ? ", resuming at " + size(from) : ""));
            out.flush();
        }

        @Override
        public void progress(RepoFile file, long done) {
            if (file.size() < LARGE) return;
            int tenth = (int) (done * 10 / file.size());
            if (tenth > lastTenth && tenth < 10) {
                lastTenth = tenth;
                out.println("              " + file.path() + " " + tenth * 10 + "% (" + size(done) + ")");
                out.flush();
            }
        }

        @Override
        public void finished(RepoFile file, Path dest) {
            out.println("  ok          " + file.path() + (file.lfs() ? " (sha256 verified)" : ""));
            out.flush();
        }
    }
}
