package io.pgmlsidecar.testmodels;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tokenizer files of a BERT-like model: a WordPiece {@code tokenizer.json} as the {@code tokenizers}
 * library writes it (BertNormalizer, BertPreTokenizer, [CLS]/[SEP] template, WordPiece decoder) and
 * a {@code tokenizer_config.json}. The first five ids are always {@code [PAD] [UNK] [CLS] [SEP] [MASK]}.
 */
public final class WordPieceTokenizer {
    public static final List<String> SPECIAL = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    public static final int PAD = 0, UNK = 1, CLS = 2, SEP = 3, MASK = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> vocab;
    private final boolean lowercase;

    /** @param words the vocabulary after the special tokens (word pieces may start with {@code ##}) */
    public WordPieceTokenizer(List<String> words, boolean lowercase) {
        List<String> v = new ArrayList<>(SPECIAL);
        v.addAll(words);
        this.vocab = List.copyOf(v);
        this.lowercase = lowercase;
    }

    public List<String> vocab() {
        return vocab;
    }

    public int size() {
        return vocab.size();
    }

    /** Id of a vocabulary entry; fails for unknown entries so test models cannot silently drift. */
    public int id(String token) {
        int i = vocab.indexOf(token);
        if (i < 0) throw new IllegalArgumentException("'" + token + "' is not in the vocabulary");
        return i;
    }

    /** Writes tokenizer.json and tokenizer_config.json into {@code dir}. */
    public void write(Path dir, int modelMaxLength) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "BertTokenizer");
        config.put("do_lower_case", lowercase);
        config.put("model_max_length", modelMaxLength);
        config.put("pad_token", "[PAD]");
        config.put("unk_token", "[UNK]");
        config.put("cls_token", "[CLS]");
        config.put("sep_token", "[SEP]");
        config.put("mask_token", "[MASK]");
        Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
    }

    public String tokenizerJson() throws IOException {
        ObjectNode root = AddedTokens.root(JSON, SPECIAL);
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "BertNormalizer");
        normalizer.put("clean_text", true);
        normalizer.put("handle_chinese_chars", true);
        normalizer.putNull("strip_accents");
        normalizer.put("lowercase", lowercase);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        special(single, "[CLS]", 0);
        sequence(single, "A", 0);
        special(single, "[SEP]", 0);
        ArrayNode pair = post.putArray("pair");
        special(pair, "[CLS]", 0);
        sequence(pair, "A", 0);
        special(pair, "[SEP]", 0);
        sequence(pair, "B", 1);
        special(pair, "[SEP]", 1);
        ObjectNode specials = post.putObject("special_tokens");
        for (String s : List.of("[CLS]", "[SEP]")) {
            ObjectNode st = specials.putObject(s);
            st.put("id", s);
            st.putArray("ids").add(id(s));
            st.putArray("tokens").add(s);
        }
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "WordPiece");
        decoder.put("prefix", "##");
        decoder.put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) v.put(vocab.get(i), i);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static void special(ArrayNode a, String id, int type) {
        ObjectNode s = a.addObject().putObject("SpecialToken");
        s.put("id", id);
        s.put("type_id", type);
    }

    private static void sequence(ArrayNode a, String id, int type) {
        ObjectNode s = a.addObject().putObject("Sequence");
        s.put("id", id);
        s.put("type_id", type);
    }
}
