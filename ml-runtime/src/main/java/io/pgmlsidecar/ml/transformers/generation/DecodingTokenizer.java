package io.pgmlsidecar.ml.transformers.generation;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.pgmlsidecar.ml.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The tokenizer side of generation: prompts encoded with or without the tokenizer's special tokens
 * (a chat template writes its own), ids decoded back to text with special tokens skipped, and token
 * text → id lookups for {@code eos_token}. Not truncating: prompts longer than the model are refused
 * by the caller with a clear message. Thread-safe.
 */
final class DecodingTokenizer implements AutoCloseable {
    static {
        if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    private final HuggingFaceTokenizer tokenizer;

    private DecodingTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    static DecodingTokenizer load(Path tokenizerJson) {
        Map<String, String> options = Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "false");
        try (var in = Files.newInputStream(tokenizerJson)) {
            return new DecodingTokenizer(HuggingFaceTokenizer.newInstance(in, options));
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    long[] encode(String text, boolean addSpecialTokens) {
        return tokenizer.encode(text, addSpecialTokens, false).getIds();
    }

    String decode(long[] ids) {
        return ids.length == 0 ? "" : tokenizer.decode(ids, true);
    }

    /** The id of a token given as its text (e.g. {@code </s>}), when it is one token of the vocabulary. */
    OptionalLong tokenId(String token) {
        Encoding e = tokenizer.encode(token, false, false);
        String[] tokens = e.getTokens();
        if (tokens.length == 1 && (tokens[0].equals(token) || e.getIds().length == 1)) return OptionalLong.of(e.getIds()[0]);
        // a piece spelled as the vocabulary stores it, e.g. "▁five"
        long[] ids = e.getIds();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i].equals(token)) return OptionalLong.of(ids[i]);
        }
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
