package io.pgmlsidecar.ml.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.pipelines.Pooling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a model directory in Hugging Face layout: {@code config.json}, {@code tokenizer.json},
 * {@code model.onnx} or {@code onnx/model.onnx}, and, when present, the sentence-transformers files
 * ({@code modules.json}, {@code 1_Pooling/config.json}, {@code sentence_bert_config.json},
 * {@code config_sentence_transformers.json}) and {@code tokenizer_config.json}.
 *
 * <p>Without sentence-transformers files the model gets what sentence-transformers gives a plain
 * transformers checkpoint: mean pooling and no normalization. The max length is
 * {@code sentence_bert_config.json: max_seq_length}, else the tokenizer's {@code model_max_length}
 * capped by the model's position embeddings, else 512.
 */
public final class HfModelDirectory {
    private static final Logger log = LoggerFactory.getLogger(HfModelDirectory.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** ONNX file locations tried, in order. */
    public static final List<String> ONNX_CANDIDATES = List.of("model.onnx", "onnx/model.onnx");

    private HfModelDirectory() {}

    /** The ONNX graph of {@code dir}, or null. */
    public static Path findOnnx(Path dir) {
        for (String c : ONNX_CANDIDATES) {
            Path p = dir.resolve(c);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    /**
     * Opens {@code dir} as model {@code name}.
     *
     * @throws ModelFormatException no ONNX graph, or no tokenizer.json
     */
    public static ModelSource open(String name, Path dir, String origin) throws IOException {
        Path onnx = findOnnx(dir);
        if (onnx == null) {
            throw new ModelFormatException("model '" + name + "' in " + dir + " has no ONNX graph (looked for "
                    + String.join(", ", ONNX_CANDIDATES) + "); only ONNX graphs run here. "
                    + ModelFormatException.exportHint(name, dir.toString()));
        }
        Path tokenizer = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizer)) {
            throw new ModelFormatException("model '" + name + "' in " + dir + " has no tokenizer.json (the fast"
                    + " tokenizer file). Save it with transformers: AutoTokenizer.from_pretrained('" + name
                    + "').save_pretrained('" + dir + "'); an Optimum export writes it too. "
                    + ModelFormatException.exportHint(name, dir.toString()));
        }
        return new ModelSource(name, origin, ModelArtifact.file(onnx), ModelArtifact.file(tokenizer), readProfile(dir));
    }

    /** The sentence-transformers profile of {@code dir} (defaults where files are missing). */
    public static ModelProfile readProfile(Path dir) throws IOException {
        JsonNode config = readJson(dir.resolve("config.json"));
        JsonNode tokConfig = readJson(dir.resolve("tokenizer_config.json"));
        JsonNode sbert = readJson(dir.resolve("sentence_bert_config.json"));
        JsonNode stConfig = readJson(dir.resolve("config_sentence_transformers.json"));
        JsonNode modules = readJson(dir.resolve("modules.json"));

        List<Pooling> pooling = new ArrayList<>();
        boolean normalize = false;
        List<String> unsupported = new ArrayList<>();
        if (modules != null && modules.isArray()) {
            boolean sawPooling = false;
            for (JsonNode m : modules) {
                String type = m.path("type").asText("");
                String simple = type.substring(type.lastIndexOf('.') + 1);
                switch (simple) {
                    case "Transformer" -> { }
                    case "Pooling" -> {
                        sawPooling = true;
                        pooling.addAll(readPooling(dir.resolve(m.path("path").asText("1_Pooling")).resolve("config.json")));
                    }
                    case "Normalize" -> normalize = true;
                    default -> unsupported.add(type);
                }
            }
            if (!sawPooling) pooling.add(Pooling.MEAN);
        } else {
            Path pool = dir.resolve("1_Pooling").resolve("config.json");
            pooling.addAll(Files.isRegularFile(pool) ? readPooling(pool) : List.of(Pooling.MEAN));
        }
        if (pooling.isEmpty()) pooling.add(Pooling.MEAN);

        int maxLength = maxLength(config, tokConfig, sbert);

        Map<String, String> prompts = new LinkedHashMap<>();
        String defaultPrompt = null;
        if (stConfig != null) {
            stConfig.path("prompts").fields().forEachRemaining(e -> prompts.put(e.getKey(), e.getValue().asText()));
            JsonNode d = stConfig.get("default_prompt_name");
            if (d != null && !d.isNull()) defaultPrompt = d.asText();
        }
        String padToken = null;
        if (tokConfig != null) {
            JsonNode p = tokConfig.get("pad_token");
            if (p != null && p.isTextual()) padToken = p.asText();
            else if (p != null && p.isObject()) padToken = p.path("content").asText(null);
        }
        return new ModelProfile(pooling, normalize, maxLength, prompts, defaultPrompt, padToken, unsupported);
    }

    private static List<Pooling> readPooling(Path file) throws IOException {
        JsonNode n = readJson(file);
        List<Pooling> modes = new ArrayList<>();
        if (n == null) return List.of(Pooling.MEAN);
        // sentence-transformers concatenates in this order
        if (n.path("pooling_mode_cls_token").asBoolean(false)) modes.add(Pooling.CLS);
        if (n.path("pooling_mode_max_tokens").asBoolean(false)) modes.add(Pooling.MAX);
        if (n.path("pooling_mode_mean_tokens").asBoolean(false)) modes.add(Pooling.MEAN);
        if (n.path("pooling_mode_mean_sqrt_len_tokens").asBoolean(false)) modes.add(Pooling.MEAN_SQRT_LEN);
        if (n.path("pooling_mode_weightedmean_tokens").asBoolean(false)) {
            throw new ModelFormatException("pooling mode 'weightedmean' of " + file + " is not supported");
        }
        if (n.path("pooling_mode_lasttoken").asBoolean(false)) modes.add(Pooling.LAST_TOKEN);
        if (modes.isEmpty() && n.has("pooling_mode")) modes.add(Pooling.parse(n.get("pooling_mode").asText()));
        return modes.isEmpty() ? List.of(Pooling.MEAN) : modes;
    }

    public static int maxLength(JsonNode config, JsonNode tokConfig, JsonNode sbert) {
        if (sbert != null && sbert.path("max_seq_length").isNumber()) {
            return Math.max(2, sbert.get("max_seq_length").asInt());
        }
        int positions = -1;
        if (config != null && config.path("max_position_embeddings").isNumber()) {
            positions = config.get("max_position_embeddings").asInt();
            String type = config.path("model_type").asText("");
            // RoBERTa-style models offset positions by padding_idx + 1
            if (type.contains("roberta") || type.equals("camembert") || type.equals("longformer")) positions -= 2;
        }
        if (tokConfig != null && tokConfig.path("model_max_length").isNumber()) {
            double t = tokConfig.get("model_max_length").asDouble();
            if (t > 1 && t < 1_000_000) {
                int tl = (int) t;
                return positions > 1 ? Math.min(tl, positions) : tl;
            }
        }
        if (positions > 1) return Math.min(positions, 8192);
        return 512;
    }

    public static JsonNode readJson(Path p) throws IOException {
        if (!Files.isRegularFile(p)) return null;
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            log.warn("ignoring unreadable {}: {}", p, e.toString());
            return null;
        }
    }
}
