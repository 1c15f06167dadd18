package io.pgmlsidecar.ml.store;

import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.ModelNotFoundException;
import io.pgmlsidecar.ml.store.hub.HubException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a model name through an ordered list of {@link ModelResolver}s; the first hit wins. The
 * standard order ({@link #standard}): local models directory, Hugging Face cache, bundled models on
 * the class path, the database store, the Hugging Face hub.
 *
 * <p>A place that has the model in an unusable form (say a PyTorch-only snapshot in the HF cache) does
 * not stop the search; if no later place has a usable copy, that problem is what gets reported.
 */
public final class ModelLocator {
    private static final Logger log = LoggerFactory.getLogger(ModelLocator.class);
    /** Hugging Face repository ids: {@code name} or {@code org/name}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");

    private final List<ModelResolver> resolvers;
    private final Path modelsDir;

    public ModelLocator(List<ModelResolver> resolvers, Path modelsDir) {
        this.resolvers = List.copyOf(resolvers);
        this.modelsDir = modelsDir;
    }

    /** The standard resolution order for {@code config}. */
    public static ModelLocator standard(MlConfig config) {
        return new ModelLocator(List.of(
                new LocalDirectoryResolver(config.modelsDir()),
                new HfCacheResolver(config.hfHubCache()),
                new BundledModelResolver(),
                new StoredModelResolver(config.modelFileStore(), config.workDir()),
                new HubDownloadResolver(config.hubUrl(), config.hfHubCache(), config.hubToken(), config.hubDownload(),
                        config.hubConnectTimeout(), config.hubRedirects())), config.modelsDir());
    }

    public List<ModelResolver> resolvers() {
        return resolvers;
    }

    /** Checks a model name; rejects anything that could escape a directory. */
    public static String validateName(String name) {
        if (name == null) throw new MlException("model name is null");
        String n = name.strip();
        if (n.length() > 200 || !NAME.matcher(n).matches() || n.contains("..")) {
            // quoted at most in part: a hostile name may be megabytes long
            String shown = name.length() <= 200 ? name : name.substring(0, 200) + "… (" + name.length() + " characters)";
            throw new MlException("invalid model name '" + shown
                    + "': expected a Hugging Face id such as 'intfloat/e5-small-v2' (letters, digits, '.', '_', '-', one '/')");
        }
        return n;
    }

    /**
     * @throws ModelNotFoundException no place has the model
     * @throws ModelFormatException   a place has it, but none in a form that runs here
     */
    public ModelSource locate(String modelName) {
        String name = validateName(modelName);
        Lookup lookup = new Lookup();
        for (ModelResolver r : resolvers) {
            try {
                Optional<ModelSource> hit = r.resolve(name, lookup);
                if (hit.isPresent()) {
                    log.debug("model '{}' resolved: {}", name, hit.get().origin());
                    return hit.get();
                }
            } catch (ModelFormatException e) {
                lookup.unusable(r.describe(), e);
            } catch (HubException e) {
                if (e.redirectRefused()) throw new ModelDownloadRefusedException(name, e.getMessage());
                log.warn("looking for model '{}' in {} failed", name, r.describe(), e);
                lookup.missed(r.describe(), "error: " + e);
            } catch (IOException | RuntimeException e) {
                log.warn("looking for model '{}' in {} failed", name, r.describe(), e);
                lookup.missed(r.describe(), "error: " + e);
            }
        }
        if (!lookup.unusable().isEmpty()) {
            ModelFormatException first = lookup.unusable().get(0);
            throw new ModelFormatException(first.getMessage() + "\nPlaces looked at: " + String.join("; ", lookup.lookedAt()),
                    first);
        }
        throw new ModelNotFoundException(name, lookup.lookedAt(), howToPlace(name));
    }

    /** A model directory in Hugging Face layout and where it was found. */
    public record Located(String name, Path dir, String origin) {}

    /**
     * Finds the directory of a multi-file model (transformer task models: encoders with heads,
     * decoders, encoder-decoders). The caller checks the files it needs.
     *
     * @throws ModelNotFoundException no place has the model
     */
    public Located locateDirectory(String modelName) {
        String name = validateName(modelName);
        Lookup lookup = new Lookup();
        for (ModelResolver r : resolvers) {
            try {
                Optional<Path> hit = r.directory(name, lookup);
                if (hit.isPresent()) {
                    log.debug("model directory '{}' resolved: {}", name, hit.get());
                    return new Located(name, hit.get(), r.describe() + ": " + hit.get());
                }
            } catch (HubException e) {
                if (e.redirectRefused()) throw new ModelDownloadRefusedException(name, e.getMessage());
                log.warn("looking for model '{}' in {} failed", name, r.describe(), e);
                lookup.missed(r.describe(), "error: " + e);
            } catch (IOException | RuntimeException e) {
                log.warn("looking for model '{}' in {} failed", name, r.describe(), e);
                lookup.missed(r.describe(), "error: " + e);
            }
        }
        throw new ModelNotFoundException(name, lookup.lookedAt(), howToPlace(name)
                + " Or fetch the repository's files with: java -jar pgml-sidecar.jar download " + name
                + (modelsDir == null ? " --models-dir <dir>" : " --models-dir " + modelsDir));
    }

    private String howToPlace(String name) {
        String dir = modelsDir != null ? modelsDir.resolve(name).toString() : "<models-dir>/" + name;
        return "To add it, put it in Hugging Face layout in " + dir
                + "/ (config.json, tokenizer.json, and model.onnx or onnx/model.onnx"
                + (modelsDir == null ? "; configure the models directory with models-dir" : "")
                + "), or in the Hugging Face cache. A model without an ONNX graph can be exported with: "
                + "optimum-cli export onnx --model " + name + " " + dir + "/";
    }
}
