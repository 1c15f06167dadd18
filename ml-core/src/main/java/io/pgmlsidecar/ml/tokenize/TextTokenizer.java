package io.pgmlsidecar.ml.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.store.ModelArtifact;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face fast tokenizer ({@code tokenizer.json}) through DJL's binding of the Rust
 * {@code tokenizers} library. Always loaded from a local file or class path resource, never by hub name.
 * Inputs are truncated to the max length (special tokens included) and left unpadded: batches are
 * padded by the caller to their own longest row. Thread-safe.
 */
public final class TextTokenizer implements AutoCloseable {
    static {
        // DJL pings an AWS endpoint once a day unless told not to; we are offline and want no surprises.
        if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;
    private final long padId;
    private final byte[] json;
    /**
     * The same tokenizer without truncation, for callers that cut or window inputs themselves (the
     * transform pipelines); made on first use so that embedding models do not pay for it.
     */
    private volatile HuggingFaceTokenizer untruncated;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, byte[] json, int maxLength, long padId) {
        this.tokenizer = tokenizer;
        this.json = json;
        this.maxLength = maxLength;
        this.padId = padId;
    }

    /**
     * @param file      the tokenizer.json
     * @param maxLength max tokens per input, special tokens included
     * @param padToken  padding token text from tokenizer_config.json, or null
     */
    public static TextTokenizer load(ModelArtifact file, int maxLength, String padToken) throws IOException {
        byte[] json = file.readAllBytes();
        long padId;
        try {
            padId = padId(JSON.readTree(json), padToken);
        } catch (IOException e) {
            throw new ModelFormatException("tokenizer " + file.describe() + " is not valid JSON: " + e.getMessage(), e);
        }
        Map<String, String> options = Map.of(
                "addSpecialTokens", "true",
                "truncation", "LONGEST_FIRST",
                "padding", "false",
                "maxLength", Integer.toString(maxLength),
                "modelMaxLength", Integer.toString(maxLength));
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
            return new TextTokenizer(t, json, maxLength, padId);
        } catch (RuntimeException e) {
            throw new ModelFormatException("cannot load tokenizer " + file.describe() + ": " + e.getMessage(), e);
        }
    }

    /** The id of the padding token: tokenizer_config's pad_token, tokenizer.json's padding, [PAD]/<pad>, else 0. */
    static long padId(JsonNode root, String padToken) {
        JsonNode padding = root.path("padding");
        if (padToken == null && padding.has("pad_id")) return padding.get("pad_id").asLong();
        List<String> candidates = new ArrayList<>();
        if (padToken != null) candidates.add(padToken);
        if (padding.has("pad_token")) candidates.add(padding.get("pad_token").asText());
        candidates.addAll(List.of("[PAD]", "<pad>", "<|pad|>", "<|endoftext|>"));
        for (String c : candidates) {
            for (JsonNode t : root.path("added_tokens")) {
                if (c.equals(t.path("content").asText())) return t.path("id").asLong();
            }
            JsonNode vocab = root.path("model").path("vocab");
            if (vocab.isObject() && vocab.has(c)) return vocab.get(c).asLong();
            if (vocab.isArray()) { // Unigram: [[piece, score], ...]
                for (int i = 0; i < vocab.size(); i++) {
                    if (c.equals(vocab.get(i).path(0).asText())) return i;
                }
            }
        }
        return 0;
    }

    public int maxLength() {
        return maxLength;
    }

    public long padId() {
        return padId;
    }

    public TokenizedText encode(String text) {
        return of(tokenizer.encode(text));
    }

    /**
     * Encodes a text pair as one input ({@code [CLS] a [SEP] b [SEP]} for BERT; token type ids 0 then 1),
     * truncated longest-first to the max length, as transformers' {@code tokenizer(a, b)} does.
     */
    public TokenizedText encodePair(String text, String textPair) {
        return of(tokenizer.encode(text, textPair));
    }

    public List<TokenizedText> encodeAll(List<String> texts) {
        if (texts.isEmpty()) return List.of();
        if (texts.size() == 1) return List.of(encode(texts.get(0)));
        Encoding[] enc = tokenizer.batchEncode(texts);
        List<TokenizedText> out = new ArrayList<>(enc.length);
        for (Encoding e : enc) out.add(of(e));
        return out;
    }

    private HuggingFaceTokenizer untruncated() {
        HuggingFaceTokenizer t = untruncated;
        if (t != null) return t;
        synchronized (this) {
            if (untruncated == null) {
                Map<String, String> options = Map.of(
                        "addSpecialTokens", "true",
                        "truncation", "false",
                        "padding", "false",
                        "modelMaxLength", Integer.toString(Integer.MAX_VALUE));
                try {
                    untruncated = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
                } catch (IOException e) {
                    throw new ModelFormatException("cannot load tokenizer: " + e.getMessage(), e);
                }
            }
            return untruncated;
        }
    }

    /**
     * Encodes {@code text} (and {@code pair}, when not null, as the second sequence) with special
     * tokens, char offsets, word and sequence ids, without truncation: callers cut with
     * {@link TokenSpans#truncate} or split into windows.
     */
    public TokenSpans spans(String text, String pair) {
        HuggingFaceTokenizer full = untruncated();
        Encoding e = pair == null ? full.encode(text) : full.encode(text, pair);
        long[] ids = e.getIds();
        int n = ids.length;
        ai.djl.huggingface.tokenizers.jni.CharSpan[] spans = e.getCharTokenSpans();
        int[] starts = new int[n], ends = new int[n];
        for (int i = 0; i < n && i < spans.length; i++) {
            if (spans[i] != null) {
                starts[i] = spans[i].getStart();
                ends[i] = spans[i].getEnd();
            }
        }
        long[] sequenceIds = e.getSequenceIds();
        long[] special = e.getSpecialTokenMask();
        if (sequenceIds == null || sequenceIds.length != n) {
            sequenceIds = new long[n];
            for (int i = 0; i < n; i++) sequenceIds[i] = special[i] != 0 ? -1 : e.getTypeIds()[i];
        }
        return new TokenSpans(ids, e.getTypeIds(), e.getTokens(), special, e.getWordIds(), sequenceIds, starts, ends, false);
    }

    /** Token ids of {@code text} without special tokens or truncation. */
    public long[] idsWithoutSpecialTokens(String text) {
        return untruncated().encode(text, false, false).getIds();
    }

    /** Text of {@code ids} as the tokenizer's decoder writes it (word pieces joined, spacing cleaned up). */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        return untruncated().decode(ids, skipSpecialTokens);
    }

    /** Token strings, for diagnostics and tests. */
    public List<String> tokens(String text) {
        return List.of(tokenizer.encode(text).getTokens());
    }

    private static TokenizedText of(Encoding e) {
        return new TokenizedText(e.getIds(), e.getTypeIds(), e.exceedMaxLength());
    }

    @Override
    public void close() {
        tokenizer.close();
        synchronized (this) {
            if (untruncated != null) untruncated.close();
        }
    }
}
