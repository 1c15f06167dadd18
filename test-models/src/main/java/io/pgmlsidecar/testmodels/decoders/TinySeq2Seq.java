package io.pgmlsidecar.testmodels.decoders;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A T5-like encoder-decoder that translates English to French word by word through {@link #DICTIONARY},
 * in Optimum's layout: {@code encoder_model.onnx}, {@code decoder_model.onnx} and
 * {@code decoder_with_past_model.onnx} (one layer, one head).
 *
 * <p>The encoder's hidden state at each source position is the one-hot vector of the translated word
 * plus one channel holding the position's index among the "content" tokens (task prefix words such as
 * "translate English to French:" and padding are not content and get -1). The decoder at step t
 * (t = the decoder's past length, read from the cache) attends to the source position whose content
 * index is t and puts logit 10 on its translation, plus a bias of 0.5 on the end token and 0.3 on
 * "etc" everywhere: the source's {@code </s>} translates to {@code </s>}, so the translation ends with
 * the source, and past the source the end token wins unless min_length bans it, when "etc" follows.
 * A decoder cache that is not fed back leaves t at 0 and repeats the first word.
 */
public final class TinySeq2Seq {
    public static final UnigramTokenizer TOKENIZER = new UnigramTokenizer(
            List.of("<pad>", "</s>", "<unk>"),
            List.of("▁translate", "▁English", "▁to", "▁French", ":", "▁summarize",
                    "▁the", "▁cat", "▁dog", "▁eats", "▁fish", "▁is", "▁small",
                    "▁le", "▁chat", "▁chien", "▁mange", "▁poisson", "▁est", "▁petit", "▁etc"),
            null, "</s>");
    public static final int PAD = 0, EOS = 1;
    public static final Map<String, String> DICTIONARY = Map.of(
            "the", "le", "cat", "chat", "dog", "chien", "eats", "mange", "fish", "poisson", "is", "est", "small", "petit");
    public static final Set<String> PREFIX_WORDS = Set.of("translate", "English", "to", "French", ":", "summarize");
    public static final String TRANSLATION_PREFIX = "translate English to French: ";
    public static final String SUMMARIZATION_PREFIX = "summarize: ";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TinySeq2Seq() {}

    public static int vocabSize() {
        return TOKENIZER.size();
    }

    public static Path write(Path dir) throws IOException {
        return write(dir, false);
    }

    /**
     * @param merged write {@code decoder_model_merged.onnx} (with {@code use_cache_branch}) instead of the
     *               decoder and decoder-with-past pair. Its encoder cache output is the first
     *               encoder-length rows of [past encoder cache; encoder_hidden_states]: the hidden states on
     *               the first step (empty past), the fed-back cache afterwards.
     */
    public static Path write(Path dir, boolean merged) throws IOException {
        Files.createDirectories(dir);
        int v = vocabSize();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("T5ForConditionalGeneration"));
        config.put("model_type", "t5");
        config.put("is_encoder_decoder", true);
        config.put("vocab_size", v);
        config.put("d_model", v + 1);
        config.put("d_kv", v);
        config.put("num_heads", 1);
        config.put("num_layers", 1);
        config.put("num_decoder_layers", 1);
        config.put("decoder_start_token_id", PAD);
        config.put("eos_token_id", EOS);
        config.put("pad_token_id", PAD);
        config.put("task_specific_params", Map.of(
                "summarization", Map.of("prefix", SUMMARIZATION_PREFIX, "max_length", 12),
                "translation_en_to_fr", Map.of("prefix", TRANSLATION_PREFIX)));
        Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        Map<String, Object> gen = new LinkedHashMap<>();
        gen.put("decoder_start_token_id", PAD);
        gen.put("eos_token_id", EOS);
        gen.put("pad_token_id", PAD);
        Files.writeString(dir.resolve("generation_config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(gen));
        TOKENIZER.writeTokenizerJson(dir);
        Map<String, Object> tc = new LinkedHashMap<>();
        tc.put("tokenizer_class", "T5Tokenizer");
        tc.put("eos_token", "</s>");
        tc.put("unk_token", "<unk>");
        tc.put("pad_token", "<pad>");
        tc.put("model_max_length", 64);
        UnigramTokenizer.writeTokenizerConfig(dir, tc);
        Path onnx = dir.resolve("onnx");
        encoder().write(onnx.resolve("encoder_model.onnx"));
        if (merged) {
            mergedDecoder().write(onnx.resolve("decoder_model_merged.onnx"));
        } else {
            decoder(false).write(onnx.resolve("decoder_model.onnx"));
            decoder(true).write(onnx.resolve("decoder_with_past_model.onnx"));
        }
        return dir;
    }

    static OnnxGraph encoder() {
        int v = vocabSize();
        OnnxGraph g = new OnnxGraph("tiny-seq2seq-encoder");
        g.input("input_ids", OnnxGraph.INT64, "batch_size", "encoder_sequence_length");
        g.input("attention_mask", OnnxGraph.INT64, "batch_size", "encoder_sequence_length");
        float[][] dict = new float[v][v];
        float[] content = new float[v];
        for (int i = 0; i < v; i++) {
            String piece = TOKENIZER.vocab().get(i);
            String word = piece.startsWith(UnigramTokenizer.SPACE) ? piece.substring(1) : piece;
            String target = DICTIONARY.getOrDefault(word, word);
            dict[i][TOKENIZER.id(target)] = 1;
            content[i] = PREFIX_WORDS.contains(word) || i == PAD ? 0 : 1;
        }
        String trans = g.op("Gather", g.floats("dictionary", dict), "input_ids");
        String mask = g.op("Cast", Map.of("to", (long) OnnxGraph.FLOAT), "attention_mask");
        String flag = g.op("Mul", g.op("Gather", g.floats("content", content, v), "input_ids"), mask);
        String cumulative = g.op("CumSum", flag, g.longScalar("seq_axis", 1));
        String index = g.op("Sub", g.op("Mul", cumulative, flag), g.scalar("one", 1f));
        String index3 = g.op("Unsqueeze", index, g.longs("axis2", 2));
        g.op("Concat", List.of(trans, index3), List.of("last_hidden_state"), Map.of("axis", 2L));
        g.output("last_hidden_state", OnnxGraph.FLOAT, "batch_size", "encoder_sequence_length", v + 1);
        return g;
    }

    static OnnxGraph mergedDecoder() {
        int v = vocabSize();
        OnnxGraph g = new OnnxGraph("tiny-seq2seq-decoder-merged");
        g.input("input_ids", OnnxGraph.INT64, "batch_size", "decoder_sequence_length");
        g.input("encoder_attention_mask", OnnxGraph.INT64, "batch_size", "encoder_sequence_length");
        g.input("encoder_hidden_states", OnnxGraph.FLOAT, "batch_size", "encoder_sequence_length", v + 1);
        for (String part : List.of("decoder", "encoder")) {
            for (String kind : List.of("key", "value")) {
                g.input("past_key_values.0." + part + "." + kind, OnnxGraph.FLOAT, "batch_size", 1,
                        part + "_past_sequence_length", part.equals("decoder") ? v : v + 1);
            }
        }
        g.input("use_cache_branch", OnnxGraph.BOOL, 1);
        String encLen = g.op("Shape", Map.of("start", 1L, "end", 2L), "encoder_hidden_states");
        String enc4 = g.op("Unsqueeze", "encoder_hidden_states", g.longs("axis1c", 1));
        for (String kind : List.of("key", "value")) {
            String both = "encoder_" + kind + "_both";
            g.op("Concat", List.of("past_key_values.0.encoder." + kind, enc4), List.of(both), Map.of("axis", 2L));
            g.op("Slice", List.of(both, g.longs("zero_" + kind, 0), encLen, g.longs("ax2_" + kind, 2)),
                    List.of("present.0.encoder." + kind), Map.of());
            g.output("present.0.encoder." + kind, OnnxGraph.FLOAT, "batch_size", 1, "encoder_sequence_length", v + 1);
        }
        String hidden = g.op("Squeeze", "present.0.encoder.key", g.longs("axis1", 1));
        String seqLen = g.op("Cast", Map.of("to", (long) OnnxGraph.FLOAT),
                g.op("Shape", Map.of("start", 1L, "end", 2L), "input_ids"));
        String pastLen = g.op("Cast", Map.of("to", (long) OnnxGraph.FLOAT),
                g.op("Shape", Map.of("start", 2L, "end", 3L), "past_key_values.0.decoder.key"));
        String t = g.op("Add", pastLen, g.op("Sub", seqLen, g.scalar("one", 1f)));
        decoderBody(g, hidden, t, true);
        return g;
    }

    static OnnxGraph decoder(boolean past) {
        int v = vocabSize();
        OnnxGraph g = new OnnxGraph(past ? "tiny-seq2seq-decoder-with-past" : "tiny-seq2seq-decoder");
        g.input("input_ids", OnnxGraph.INT64, "batch_size", "decoder_sequence_length");
        g.input("encoder_attention_mask", OnnxGraph.INT64, "batch_size", "encoder_sequence_length");
        String hidden;
        String t;
        String seqLen = g.op("Cast", Map.of("to", (long) OnnxGraph.FLOAT),
                g.op("Shape", Map.of("start", 1L, "end", 2L), "input_ids"));
        String last = g.op("Sub", seqLen, g.scalar("one", 1f));
        if (past) {
            for (String part : List.of("decoder", "encoder")) {
                for (String kind : List.of("key", "value")) {
                    g.input("past_key_values.0." + part + "." + kind, OnnxGraph.FLOAT, "batch_size", 1,
                            part.equals("decoder") ? "past_decoder_sequence_length" : "encoder_sequence_length",
                            part.equals("decoder") ? v : v + 1);
                }
            }
            hidden = g.op("Squeeze", "past_key_values.0.encoder.key", g.longs("axis1", 1));
            String pastLen = g.op("Cast", Map.of("to", (long) OnnxGraph.FLOAT),
                    g.op("Shape", Map.of("start", 2L, "end", 3L), "past_key_values.0.decoder.key"));
            t = g.op("Add", pastLen, last);
        } else {
            g.input("encoder_hidden_states", OnnxGraph.FLOAT, "batch_size", "encoder_sequence_length", v + 1);
            hidden = "encoder_hidden_states";
            t = last;
        }
        if (!past) {
            String enc4 = g.op("Unsqueeze", "encoder_hidden_states", g.longs("axis1c", 1));
            for (String kind : List.of("key", "value")) {
                g.op("Identity", List.of(enc4), List.of("present.0.encoder." + kind), Map.of());
                g.output("present.0.encoder." + kind, OnnxGraph.FLOAT, "batch_size", 1, "encoder_sequence_length", v + 1);
            }
        }
        decoderBody(g, hidden, t, past);
        return g;
    }

    /** Decoder cache outputs and logits: the translation of the source position whose content index is t. */
    private static void decoderBody(OnnxGraph g, String hidden, String t, boolean past) {
        int v = vocabSize();
        float[][] eye = new float[v][v];
        for (int i = 0; i < v; i++) eye[i][i] = 1;
        String fresh = g.op("Unsqueeze", g.op("Gather", g.floats("eye", eye), "input_ids"), g.longs("axis1b", 1));
        for (String kind : List.of("key", "value")) {
            String out = "present.0.decoder." + kind;
            if (past) {
                g.op("Concat", List.of("past_key_values.0.decoder." + kind, fresh), List.of(out), Map.of("axis", 2L));
            } else {
                g.op("Identity", List.of(fresh), List.of(out), Map.of());
            }
            g.output(out, OnnxGraph.FLOAT, "batch_size", 1, "total_decoder_sequence_length", v);
        }
        String trans = g.op("Slice", hidden, g.longs("s0", 0), g.longs("e0", v), g.longs("ax2", 2));
        String index = g.op("Squeeze", g.op("Slice", hidden, g.longs("s1", v), g.longs("e1", v + 1), g.longs("ax2b", 2)),
                g.longs("ax2c", 2));
        String mask = g.op("Cast", Map.of("to", (long) OnnxGraph.FLOAT), "encoder_attention_mask");
        String select = g.op("Mul", g.op("Cast", Map.of("to", (long) OnnxGraph.FLOAT), g.op("Equal", index, t)), mask);
        String mixed = g.op("MatMul", g.op("Unsqueeze", select, g.longs("axis1d", 1)), trans); // [B,1,V]
        float[] bias = new float[v];
        bias[EOS] = 0.5f;
        bias[TOKENIZER.id("etc")] = 0.3f;
        g.op("Add", List.of(g.op("Mul", mixed, g.scalar("ten", 10f)), g.floats("bias", bias, v)), List.of("logits"), Map.of());
        g.output("logits", OnnxGraph.FLOAT, "batch_size", "decoder_sequence_length", v);
    }
}
