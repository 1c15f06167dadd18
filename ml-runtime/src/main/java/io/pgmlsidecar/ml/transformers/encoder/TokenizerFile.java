package io.pgmlsidecar.ml.transformers.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.ModelFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the pipelines read from {@code tokenizer.json} beyond encoding: the vocabulary (token → id,
 * for fill-mask targets) and the word-piece continuation prefix (how token classification tells
 * sub-words apart).
 */
final class TokenizerFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Long> vocab = new HashMap<>();
    private final String continuingSubwordPrefix;

    private TokenizerFile(JsonNode root) {
        JsonNode v = root.path("model").path("vocab");
        if (v.isObject()) {
            for (var it = v.fields(); it.hasNext(); ) {
                var e = it.next();
                vocab.put(e.getKey(), e.getValue().asLong());
            }
        } else if (v.isArray()) { // Unigram: [[piece, score], ...]
            for (int i = 0; i < v.size(); i++) vocab.put(v.get(i).path(0).asText(), (long) i);
        }
        for (JsonNode t : root.path("added_tokens")) vocab.put(t.path("content").asText(), t.path("id").asLong());
        JsonNode prefix = root.path("model").path("continuing_subword_prefix");
        this.continuingSubwordPrefix = prefix.isTextual() && !prefix.asText().isEmpty() ? prefix.asText() : null;
    }

    static TokenizerFile read(Path file) {
        try {
            return new TokenizerFile(JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    Optional<Long> id(String token) {
        return Optional.ofNullable(vocab.get(token));
    }

    /** e.g. {@code ##} for WordPiece; empty for byte-level BPE and Unigram tokenizers. */
    Optional<String> continuingSubwordPrefix() {
        return Optional.ofNullable(continuingSubwordPrefix);
    }
}
