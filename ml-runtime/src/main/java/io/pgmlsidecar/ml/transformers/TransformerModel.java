package io.pgmlsidecar.ml.transformers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.store.HfModelDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A transformer model directory in Hugging Face layout as Optimum exports it: {@code config.json},
 * {@code tokenizer.json}, {@code tokenizer_config.json}, {@code generation_config.json},
 * {@code special_tokens_map.json} and one or more ONNX graphs (at the root or under {@code onnx/}).
 */
public final class TransformerModel {
    private final String name;
    private final Path dir;
    private final String origin;
    private final JsonNode config;
    private final JsonNode tokenizerConfig;
    private final JsonNode generationConfig;
    private final JsonNode specialTokens;

    private TransformerModel(String name, Path dir, String origin) {
        this.name = name;
        this.dir = dir;
        this.origin = origin;
        this.config = json("config.json");
        this.tokenizerConfig = json("tokenizer_config.json");
        this.generationConfig = json("generation_config.json");
        this.specialTokens = json("special_tokens_map.json");
    }

    public static TransformerModel open(String name, Path dir, String origin) {
        TransformerModel m = new TransformerModel(name, dir, origin);
        if (m.config.isMissingNode()) {
            throw new ModelFormatException("model '" + name + "' in " + dir + " has no config.json. "
                    + ModelFormatException.exportHint(name, dir.toString()));
        }
        if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new ModelFormatException("model '" + name + "' in " + dir + " has no tokenizer.json (the fast tokenizer"
                    + " file). Save it with transformers: AutoTokenizer.from_pretrained('" + name + "').save_pretrained('"
                    + dir + "'); an Optimum export writes it too.");
        }
        return m;
    }

    public String name() { return name; }
    public Path dir() { return dir; }
    public String origin() { return origin; }
    /** config.json (never null; MissingNode children for absent keys). */
    public JsonNode config() { return config; }
    public JsonNode tokenizerConfig() { return tokenizerConfig; }
    public JsonNode generationConfig() { return generationConfig; }
    public JsonNode specialTokens() { return specialTokens; }

    public Path tokenizerFile() {
        return dir.resolve("tokenizer.json");
    }

    public String modelType() {
        return config.path("model_type").asText("");
    }

    /** The first of {@code fileNames} present at the root or under {@code onnx/}. */
    public Optional<Path> onnx(String... fileNames) {
        for (String f : fileNames) {
            for (Path p : List.of(dir.resolve(f), dir.resolve("onnx").resolve(f))) {
                if (Files.isRegularFile(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Like {@link #onnx} but fails with a message naming the files looked for. */
    public Path requireOnnx(String what, String... fileNames) {
        return onnx(fileNames).orElseThrow(() -> new ModelFormatException("model '" + name + "' in " + dir + " has no "
                + what + " graph (looked for " + String.join(", ", fileNames) + ", at the root and under onnx/). "
                + ModelFormatException.exportHint(name, dir.toString())));
    }

    /** Labels by class index from config.json's id2label; {@code LABEL_i} where absent, as transformers does. */
    public List<String> labels(int count) {
        List<String> labels = new ArrayList<>();
        JsonNode id2label = config.path("id2label");
        for (int i = 0; i < count; i++) {
            JsonNode l = id2label.get(Integer.toString(i));
            labels.add(l != null && l.isTextual() ? l.asText() : "LABEL_" + i);
        }
        return labels;
    }

    /** config.json's label2id (label → index), empty when absent. */
    public Map<String, Integer> label2id() {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = config.path("label2id").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asInt());
        }
        return out;
    }

    /** Max tokens per input: tokenizer model_max_length capped by the position embeddings, else 512. */
    public int maxLength() {
        return HfModelDirectory.maxLength(config, tokenizerConfig, null);
    }

    /** A special token's text from tokenizer_config.json or special_tokens_map.json (string or AddedToken object). */
    public Optional<String> specialToken(String key) {
        for (JsonNode source : List.of(tokenizerConfig, specialTokens)) {
            JsonNode v = source.get(key);
            if (v != null && v.isTextual()) return Optional.of(v.asText());
            if (v != null && v.isObject() && v.path("content").isTextual()) return Optional.of(v.get("content").asText());
        }
        return Optional.empty();
    }

    /** Total size of the ONNX graphs and their external data (the model cache's weight). */
    public long onnxBytes() {
        long total = 0;
        for (Path d : List.of(dir, dir.resolve("onnx"))) {
            if (!Files.isDirectory(d)) continue;
            try (var s = Files.list(d)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String f = p.getFileName().toString();
                    if (f.endsWith(".onnx") || f.endsWith(".onnx_data") || f.endsWith(".onnx.data")) total += Files.size(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return total;
    }

    private JsonNode json(String file) {
        try {
            JsonNode n = HfModelDirectory.readJson(dir.resolve(file));
            return n == null ? MissingNode.getInstance() : n;
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + dir.resolve(file) + ": " + e.getMessage(), e);
        }
    }
}
