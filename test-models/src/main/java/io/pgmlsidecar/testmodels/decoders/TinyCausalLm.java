package io.pgmlsidecar.testmodels.decoders;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Llama-like decoder-only language model whose next token is known by construction, in the ONNX
 * layouts Optimum and transformers.js export: {@code decoder_model_merged.onnx} (with
 * {@code use_cache_branch}), a single {@code model.onnx} with past inputs, or
 * {@code decoder_model.onnx} + {@code decoder_with_past_model.onnx}. Two layers, one head, head
 * dimension = vocabulary size.
 *
 * <p>Every layer's key and value for a token are its one-hot vector (layer 0 scaled by 2 and 3, so
 * that mixing up layers shows). The logits at a position are
 * <pre>
 *   bigram[current token] + positionBias[position_id] - (Σ_t mask[t] · layer1.value[t]) · penalty
 * </pre>
 * where the sum runs over the whole attended sequence (past cache plus current tokens): a count of
 * each token seen so far (multiplied by a penalty matrix), taken with a MatMul so that a cache whose length disagrees with the mask
 * fails. Only {@code ▁la} has a penalty (0.3 per occurrence against la=3, di=2), so "la" continues
 * "la la la di" when the cache is fed back (la wins while it has been seen at most 3 times; di ends),
 * and differently when the cache holds anything else (layer 0's values count 3 each). The position bias adds 20 to the end token from
 * position 16 on: no sequence is longer than 17 tokens, and position ids that count padding would end
 * padded rows early. Rows not listed in {@link #BIGRAM} only give the end token a logit of 1.
 *
 * <p>The history also weighs on other tokens: a "red" anywhere in the cache lowers the end token by 10.
 * After "sky", red (2.0) beats blue (1.6) but "red ok" (0.6) is weak where "blue ok" (5.0) is strong, and
 * "ok" ends (4.0) unless red was seen, then "stop" (1.0) follows and ends (12.0): greedy gives
 * "sky red ok stop", two beams give "sky blue ok", with the beams swapping rows on the way, so a cache
 * that is not reordered with its beam makes the wrong beam end.
 *
 * <p>Greedy versus beam search: after "go", left (2.0) beats right (1.6), but after "left" the best
 * next token is weak (down 0.6) while after "right" "up" is strong (5.0): greedy gives
 * "go left down", two beams give "go right up".
 */
public final class TinyCausalLm {
    public enum Layout { MERGED, SINGLE, SPLIT }

    public static final UnigramTokenizer TOKENIZER = new UnigramTokenizer(
            List.of("<pad>", "</s>", "<s>", "<unk>"),
            List.of("▁one", "▁two", "▁three", "▁four", "▁five", "▁six", "▁seven", "▁eight", "▁nine", "▁ten",
                    "▁la", "▁di", "▁go", "▁left", "▁right", "▁up", "▁down", "▁hel", "lo", "▁world",
                    "▁user", "▁assistant", "▁system", ":", "▁hi", "▁there", "▁stop",
                    "▁sky", "▁red", "▁blue", "▁ok"),
            null, null);
    public static final int PAD = 0, EOS = 1, BOS = 2, LAYERS = 2, MAX_POSITIONS = 64, EOS_FROM_POSITION = 16;
    public static final float LA_PENALTY = 0.3f, RED_BANS_END = 10f;

    /** current token → (next token → logit); everything else 0. */
    public static final Map<String, Map<String, Float>> BIGRAM = bigram();

    /** A chat template in the style of Hugging Face's, with raise_exception for a bad role. */
    public static final String CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{% if message['role'] not in ['system', 'user', 'assistant'] %}"
            + "{{ raise_exception('Conversation roles must be system, user or assistant') }}{% endif %}"
            + " {{ message['role'] }}: {{ message['content'] }}{% if message['role'] == 'assistant' %}{{ eos_token }}{% endif %}"
            + "{% endfor %}{% if add_generation_prompt %} assistant:{% endif %}";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyCausalLm() {}

    private static Map<String, Map<String, Float>> bigram() {
        Map<String, Map<String, Float>> b = new LinkedHashMap<>();
        String[] count = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
        for (int i = 0; i + 1 < count.length; i++) b.put(count[i], Map.of(count[i + 1], 5f));
        b.put("ten", Map.of("</s>", 5f));
        b.put("la", Map.of("la", 3f, "di", 2f));
        b.put("di", Map.of("</s>", 4f));
        b.put("go", Map.of("left", 2f, "right", 1.6f));
        b.put("left", Map.of("down", 0.6f, "up", 0.5f));
        b.put("right", Map.of("up", 5f));
        b.put("up", Map.of("</s>", 6f));
        b.put("down", Map.of("</s>", 6f));
        b.put(":", Map.of("hel", 4f));
        b.put("hel", Map.of("lo", 4f));
        b.put("lo", Map.of("world", 4f));
        b.put("world", Map.of("</s>", 5f));
        b.put("sky", Map.of("red", 2f, "blue", 1.6f));
        b.put("red", Map.of("ok", 0.6f));
        b.put("blue", Map.of("ok", 5f));
        b.put("ok", Map.of("</s>", 4f, "stop", 1f));
        b.put("stop", Map.of("</s>", 12f));
        b.put("hi", Map.of("there", 4f));
        b.put("there", Map.of("</s>", 4f));
        return b;
    }

    public static int vocabSize() {
        return TOKENIZER.size();
    }

    /** Writes a full Hugging Face directory (config, generation config, tokenizer files, ONNX graphs). */
    public static Path write(Path dir, Layout layout) throws IOException {
        return write(dir, layout, 0);
    }

    /**
     * @param work when positive, every run of the graph also multiplies a {@code work × work} matrix
     *             with itself (about 2·work³ flops) and adds the product times zero to the logits: the
     *             same answers, but each generation step takes real time, so that tests can watch a
     *             stream arrive and cancel a generation in flight. The matrix is built from the
     *             attention mask, so ONNX Runtime cannot fold the work away when it loads the graph.
     */
    public static Path write(Path dir, Layout layout, int work) throws IOException {
        Files.createDirectories(dir);
        int v = vocabSize();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("LlamaForCausalLM"));
        config.put("model_type", "llama");
        config.put("vocab_size", v);
        config.put("hidden_size", v);
        config.put("num_hidden_layers", LAYERS);
        config.put("num_attention_heads", 1);
        config.put("num_key_value_heads", 1);
        config.put("head_dim", v);
        config.put("max_position_embeddings", MAX_POSITIONS);
        config.put("bos_token_id", BOS);
        config.put("eos_token_id", EOS);
        config.put("pad_token_id", PAD);
        Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        Map<String, Object> gen = new LinkedHashMap<>();
        gen.put("bos_token_id", BOS);
        gen.put("eos_token_id", EOS);
        gen.put("pad_token_id", PAD);
        gen.put("max_length", 32);
        Files.writeString(dir.resolve("generation_config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(gen));
        TOKENIZER.writeTokenizerJson(dir);
        Map<String, Object> tc = new LinkedHashMap<>();
        tc.put("tokenizer_class", "LlamaTokenizer");
        tc.put("bos_token", "<s>");
        tc.put("eos_token", "</s>");
        tc.put("unk_token", "<unk>");
        tc.put("pad_token", "<pad>");
        tc.put("model_max_length", MAX_POSITIONS);
        tc.put("chat_template", CHAT_TEMPLATE);
        UnigramTokenizer.writeTokenizerConfig(dir, tc);
        Path onnx = dir.resolve("onnx");
        switch (layout) {
            case MERGED -> graph(true, true, work).write(onnx.resolve("decoder_model_merged.onnx"));
            case SINGLE -> graph(true, false, work).write(dir.resolve("model.onnx"));
            case SPLIT -> {
                graph(false, false, work).write(onnx.resolve("decoder_model.onnx"));
                graph(true, false, work).write(onnx.resolve("decoder_with_past_model.onnx"));
            }
        }
        return dir;
    }

    static OnnxGraph graph(boolean past, boolean useCacheBranch) {
        return graph(past, useCacheBranch, 0);
    }

    static OnnxGraph graph(boolean past, boolean useCacheBranch, int work) {
        int v = vocabSize();
        OnnxGraph g = new OnnxGraph("tiny-causal-lm");
        g.input("input_ids", OnnxGraph.INT64, "batch_size", "sequence_length");
        g.input("attention_mask", OnnxGraph.INT64, "batch_size", "total_sequence_length");
        g.input("position_ids", OnnxGraph.INT64, "batch_size", "sequence_length");
        if (past) {
            for (int l = 0; l < LAYERS; l++) {
                g.input("past_key_values." + l + ".key", OnnxGraph.FLOAT, "batch_size", 1, "past_sequence_length", v);
                g.input("past_key_values." + l + ".value", OnnxGraph.FLOAT, "batch_size", 1, "past_sequence_length", v);
            }
        }
        if (useCacheBranch) g.input("use_cache_branch", OnnxGraph.BOOL, 1);

        float[][] eye = new float[v][v];
        for (int i = 0; i < v; i++) eye[i][i] = 1;
        String oneHot = g.op("Gather", g.floats("eye", eye), "input_ids");
        String oneHot4 = g.op("Unsqueeze", oneHot, g.longs("axis1", 1));
        float[] scale = {2f, 3f, 1f, 1f};
        for (int l = 0; l < LAYERS; l++) {
            for (int kv = 0; kv < 2; kv++) {
                String kind = kv == 0 ? "key" : "value";
                String fresh = g.op("Mul", oneHot4, g.scalar("scale_" + l + "_" + kind, scale[l * 2 + kv]));
                String out = "present." + l + "." + kind;
                if (past) {
                    g.op("Concat", List.of("past_key_values." + l + "." + kind, fresh), List.of(out), Map.of("axis", 2L));
                } else {
                    g.op("Identity", List.of(fresh), List.of(out), Map.of());
                }
                g.output(out, OnnxGraph.FLOAT, "batch_size", 1, "total_sequence_length", v);
            }
        }
        String mask = g.op("Cast", Map.of("to", (long) OnnxGraph.FLOAT), "attention_mask");
        // [B,1,1,T] x [B,1,T,V]: fails outright when the cache length and the mask disagree
        String mask4 = g.op("Unsqueeze", mask, g.longs("axes12", 1, 2));
        String counts = g.op("Squeeze", g.op("MatMul", mask4, "present.1.value"), g.longs("axis1s", 1)); // [B,1,V]
        float[][] penaltyMatrix = new float[v][v];
        penaltyMatrix[TOKENIZER.id("la")][TOKENIZER.id("la")] = LA_PENALTY;
        penaltyMatrix[TOKENIZER.id("red")][EOS] = RED_BANS_END;
        String penalty = g.op("MatMul", counts, g.floats("penalty", penaltyMatrix));
        String big = g.op("Gather", g.floats("bigram", table()), "input_ids");
        float[][] posBias = new float[MAX_POSITIONS][v];
        for (int p = EOS_FROM_POSITION; p < MAX_POSITIONS; p++) posBias[p][EOS] = 20f;
        String pos = g.op("Gather", g.floats("position_bias", posBias), "position_ids");
        String logits = work > 0 ? "exact_logits" : "logits";
        g.op("Sub", List.of(g.op("Add", big, pos), penalty), List.of(logits), Map.of());
        if (work > 0) {
            String total = g.op("ReduceSum", Map.of("keepdims", 0L), mask); // a scalar that depends on the input
            String square = g.op("Expand", g.op("Mul", total, g.scalar("work_scale", 1e-3f)), g.longs("work_shape", work, work));
            String sum = g.op("ReduceSum", Map.of("keepdims", 0L), g.op("MatMul", square, square)); // finite: ≤ work³·0.064²
            g.op("Add", List.of(logits, g.op("Mul", sum, g.scalar("work_zero", 0f))), List.of("logits"), Map.of());
        }
        g.output("logits", OnnxGraph.FLOAT, "batch_size", "sequence_length", v);
        return g;
    }

    /** The bigram table as a [vocab, vocab] matrix. */
    public static float[][] table() {
        int v = vocabSize();
        float[][] t = new float[v][v];
        for (int i = 0; i < v; i++) {
            String piece = TOKENIZER.vocab().get(i);
            String word = piece.startsWith(UnigramTokenizer.SPACE) ? piece.substring(1) : piece;
            Map<String, Float> row = BIGRAM.get(word);
            if (row == null) {
                t[i][EOS] = 1f;
                continue;
            }
            for (Map.Entry<String, Float> e : row.entrySet()) t[i][TOKENIZER.id(e.getKey())] = e.getValue();
        }
        return t;
    }
}
