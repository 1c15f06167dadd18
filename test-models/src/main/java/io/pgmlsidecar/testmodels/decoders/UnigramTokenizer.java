package io.pgmlsidecar.testmodels.decoders;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.testmodels.AddedTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A SentencePiece-style {@code tokenizer.json} as the {@code tokenizers} library writes it for T5 and
 * Llama: a Unigram model over pieces that start with {@code ▁} at word starts, a Metaspace
 * pre-tokenizer and decoder, and an optional post-processor that appends an end token (T5) or
 * prepends a begin token (Llama). Whole-word pieces score higher than sub-word pieces, so a word in
 * the vocabulary is one token and other words split into the sub-word pieces given.
 */
public final class UnigramTokenizer {
    public static final String SPACE = "\u2581";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> special;
    private final List<String> vocab;
    private final String bosAppended;
    private final String eosAppended;

    /**
     * @param special     special tokens, first ids in order (the first is the padding token)
     * @param pieces      the pieces after them
     * @param prependBos  special token put before every encoded text, or null
     * @param appendEos   special token put after every encoded text, or null
     */
    public UnigramTokenizer(List<String> special, List<String> pieces, String prependBos, String appendEos) {
        List<String> v = new ArrayList<>(special);
        v.addAll(pieces);
        this.special = List.copyOf(special);
        this.vocab = List.copyOf(v);
        this.bosAppended = prependBos;
        this.eosAppended = appendEos;
    }

    public List<String> vocab() {
        return vocab;
    }

    public int size() {
        return vocab.size();
    }

    /** Id of a piece; a bare word means its {@code ▁word} piece. Fails for unknown pieces. */
    public int id(String piece) {
        int i = vocab.indexOf(piece);
        if (i < 0) i = vocab.indexOf(SPACE + piece);
        if (i < 0) throw new IllegalArgumentException("'" + piece + "' is not in the vocabulary");
        return i;
    }

    public void writeTokenizerJson(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
    }

    /** tokenizer_config.json with the given entries (special tokens, chat_template, model_max_length ...). */
    public static void writeTokenizerConfig(Path dir, Map<String, Object> entries) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(entries));
    }

    public String tokenizerJson() throws IOException {
        ObjectNode root = AddedTokens.root(JSON, special);
        root.putNull("normalizer");
        root.set("pre_tokenizer", metaspace());
        if (bosAppended == null && eosAppended == null) {
            root.putNull("post_processor");
        } else {
            ObjectNode post = root.putObject("post_processor");
            post.put("type", "TemplateProcessing");
            ArrayNode single = post.putArray("single");
            ArrayNode pair = post.putArray("pair");
            if (bosAppended != null) {
                special(single, bosAppended);
                special(pair, bosAppended);
            }
            sequence(single, "A");
            sequence(pair, "A");
            sequence(pair, "B");
            if (eosAppended != null) {
                special(single, eosAppended);
                special(pair, eosAppended);
            }
            ObjectNode specials = post.putObject("special_tokens");
            for (String s : new String[] {bosAppended, eosAppended}) {
                if (s == null) continue;
                ObjectNode st = specials.putObject(s);
                st.put("id", s);
                st.putArray("ids").add(id(s));
                st.putArray("tokens").add(s);
            }
        }
        root.set("decoder", metaspace());
        ObjectNode model = root.putObject("model");
        model.put("type", "Unigram");
        model.put("unk_id", vocab.indexOf("<unk>"));
        ArrayNode v = model.putArray("vocab");
        for (String p : vocab) {
            ArrayNode e = v.addArray();
            e.add(p);
            e.add(special.contains(p) ? 0.0 : p.startsWith(SPACE) ? -1.0 : -4.0);
        }
        model.put("byte_fallback", false);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static ObjectNode metaspace() {
        ObjectNode m = JSON.createObjectNode();
        m.put("type", "Metaspace");
        m.put("replacement", SPACE);
        m.put("prepend_scheme", "always");
        m.put("split", true);
        return m;
    }

    private static void special(ArrayNode a, String id) {
        ObjectNode s = a.addObject().putObject("SpecialToken");
        s.put("id", id);
        s.put("type_id", 0);
    }

    private static void sequence(ArrayNode a, String id) {
        ObjectNode s = a.addObject().putObject("Sequence");
        s.put("id", id);
        s.put("type_id", 0);
    }
}
