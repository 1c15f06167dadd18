package io.pgmlsidecar.ml;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A tiny "BERT embeddings layer" model generated for plumbing tests: a real ONNX graph (hand-encoded
 * protobuf) with the inputs of a BERT export and a real WordPiece tokenizer.json.
 *
 * <pre>
 * last_hidden_state[b,t,:] = (W[input_ids[b,t]] + T[token_type_ids[b,t]]) * attention_mask[b,t]
 * </pre>
 * so the expected sentence vectors can be computed by hand ({@link #expected}).
 */
public final class TinyModel {
    public static final int DIM = 8;
    public static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "sat", "on",
            "mat", "dog", "ran", "fast", "a", "query", ":", "passage", "hello", "world", "cafe", "日", "本", "語", ".",
            ",", "##s", "is", "good", "bad", "!", "?");
    public static final int CLS = 2, SEP = 3;

    public final float[][] words = new float[VOCAB.size()][DIM];
    public final float[][] types = new float[2][DIM];

    public TinyModel(long seed) {
        Random r = new Random(seed);
        for (float[] w : words) for (int j = 0; j < DIM; j++) w[j] = (float) r.nextGaussian();
        for (float[] w : types) for (int j = 0; j < DIM; j++) w[j] = (float) (r.nextGaussian() * 0.1);
    }

    /** Writes an HF-layout model directory. */
    public Path writeHfLayout(Path dir, boolean onnxInSubdir, String pooling, boolean normalize, int maxSeqLength)
            throws IOException {
        Files.createDirectories(dir);
        Path onnx = onnxInSubdir ? dir.resolve("onnx/model.onnx") : dir.resolve("model.onnx");
        Files.createDirectories(onnx.getParent());
        Files.write(onnx, onnx());
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"bert\",\"hidden_size\":" + DIM
                + ",\"max_position_embeddings\":512,\"vocab_size\":" + VOCAB.size() + "}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\":512,\"pad_token\":\"[PAD]\"}");
        writeSentenceTransformersFiles(dir, pooling, normalize, maxSeqLength);
        return dir;
    }

    public static void writeSentenceTransformersFiles(Path dir, String pooling, boolean normalize, int maxSeqLength)
            throws IOException {
        String modules = "[{\"idx\":0,\"name\":\"0\",\"path\":\"\",\"type\":\"sentence_transformers.models.Transformer\"},"
                + "{\"idx\":1,\"name\":\"1\",\"path\":\"1_Pooling\",\"type\":\"sentence_transformers.models.Pooling\"}"
                + (normalize ? ",{\"idx\":2,\"name\":\"2\",\"path\":\"2_Normalize\",\"type\":\"sentence_transformers.models.Normalize\"}" : "")
                + "]";
        Files.writeString(dir.resolve("modules.json"), modules);
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.writeString(dir.resolve("1_Pooling/config.json"), "{\"word_embedding_dimension\":" + DIM
                + ",\"pooling_mode_cls_token\":" + pooling.equals("cls")
                + ",\"pooling_mode_mean_tokens\":" + pooling.equals("mean")
                + ",\"pooling_mode_max_tokens\":" + pooling.equals("max")
                + ",\"pooling_mode_mean_sqrt_len_tokens\":false}");
        Files.writeString(dir.resolve("sentence_bert_config.json"),
                "{\"max_seq_length\":" + maxSeqLength + ",\"do_lower_case\":false}");
    }

    /** Expected sentence vector for token ids (with [CLS]/[SEP]), before/after normalization. */
    public float[] expected(List<Integer> ids, String pooling, boolean normalize) {
        float[] v = new float[DIM];
        if (pooling.equals("cls")) {
            for (int j = 0; j < DIM; j++) v[j] = words[ids.get(0)][j] + types[0][j];
        } else if (pooling.equals("mean")) {
            for (int id : ids) for (int j = 0; j < DIM; j++) v[j] += words[id][j] + types[0][j];
            for (int j = 0; j < DIM; j++) v[j] /= ids.size();
        } else {
            throw new IllegalArgumentException(pooling);
        }
        if (normalize) {
            double n = 0;
            for (float x : v) n += x * x;
            n = Math.sqrt(n);
            for (int j = 0; j < DIM; j++) v[j] = (float) (v[j] / n);
        }
        return v;
    }

    /** Token ids of a whitespace-separated lower-case sentence made of vocabulary words, with [CLS]/[SEP]. */
    public static List<Integer> ids(String... words) {
        List<Integer> ids = new ArrayList<>();
        ids.add(CLS);
        for (String w : words) {
            int i = VOCAB.indexOf(w);
            ids.add(i < 0 ? 1 : i);
        }
        ids.add(SEP);
        return ids;
    }

    // ---------------------------------------------------------------- tokenizer.json

    public static String tokenizerJson() {
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < VOCAB.size(); i++) {
            if (i > 0) vocab.append(',');
            vocab.append('"').append(VOCAB.get(i)).append("\":").append(i);
        }
        StringBuilder added = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            if (i > 0) added.append(',');
            added.append("{\"id\":").append(i).append(",\"content\":\"").append(VOCAB.get(i))
                    .append("\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}");
        }
        return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[" + added + "],"
                + "\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,"
                + "\"strip_accents\":null,\"lowercase\":true},"
                + "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},"
                + "\"post_processor\":{\"type\":\"TemplateProcessing\","
                + "\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
                + "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}],"
                + "\"pair\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
                + "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}},"
                + "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}}],"
                + "\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[2],\"tokens\":[\"[CLS]\"]},"
                + "\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[3],\"tokens\":[\"[SEP]\"]}}},"
                + "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true},"
                + "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\","
                + "\"max_input_chars_per_word\":100,\"vocab\":{" + vocab + "}}}";
    }

    // ---------------------------------------------------------------- ONNX protobuf

    public byte[] onnx() {
        ByteArrayOutputStream graph = new ByteArrayOutputStream();
        node(graph, "Gather", List.of("word_emb", "input_ids"), List.of("we"), Map.of());
        node(graph, "Gather", List.of("type_emb", "token_type_ids"), List.of("te"), Map.of());
        node(graph, "Add", List.of("we", "te"), List.of("emb"), Map.of());
        node(graph, "Cast", List.of("attention_mask"), List.of("maskf"), Map.of("to", 1L));
        node(graph, "Unsqueeze", List.of("maskf", "axes"), List.of("mask3"), Map.of());
        node(graph, "Mul", List.of("emb", "mask3"), List.of("last_hidden_state"), Map.of());
        fBytes(graph, 2, "tiny-bert".getBytes(StandardCharsets.UTF_8));
        fBytes(graph, 5, floatTensor("word_emb", words));
        fBytes(graph, 5, floatTensor("type_emb", types));
        fBytes(graph, 5, longTensor("axes", new long[] {-1}));
        for (String in : List.of("input_ids", "attention_mask", "token_type_ids")) {
            fBytes(graph, 11, valueInfo(in, 7, new Object[] {"batch", "seq"}));
        }
        fBytes(graph, 12, valueInfo("last_hidden_state", 1, new Object[] {"batch", "seq", (long) DIM}));

        ByteArrayOutputStream model = new ByteArrayOutputStream();
        fInt(model, 1, 8); // ir_version
        fBytes(model, 2, "pgml-sidecar-tests".getBytes(StandardCharsets.UTF_8));
        fBytes(model, 7, graph.toByteArray());
        ByteArrayOutputStream opset = new ByteArrayOutputStream();
        fBytes(opset, 1, new byte[0]);
        fInt(opset, 2, 13);
        fBytes(model, 8, opset.toByteArray());
        return model.toByteArray();
    }

    private static void node(ByteArrayOutputStream g, String op, List<String> in, List<String> out, Map<String, Long> intAttrs) {
        ByteArrayOutputStream n = new ByteArrayOutputStream();
        for (String s : in) fBytes(n, 1, s.getBytes(StandardCharsets.UTF_8));
        for (String s : out) fBytes(n, 2, s.getBytes(StandardCharsets.UTF_8));
        fBytes(n, 4, op.getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, Long> a : new LinkedHashMap<>(intAttrs).entrySet()) {
            ByteArrayOutputStream attr = new ByteArrayOutputStream();
            fBytes(attr, 1, a.getKey().getBytes(StandardCharsets.UTF_8));
            fInt(attr, 3, a.getValue());
            fInt(attr, 20, 2); // AttributeType INT
            fBytes(n, 5, attr.toByteArray());
        }
        fBytes(g, 1, n.toByteArray());
    }

    private static byte[] floatTensor(String name, float[][] m) {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        fInt(t, 1, m.length);
        fInt(t, 1, m[0].length);
        fInt(t, 2, 1); // FLOAT
        fBytes(t, 8, name.getBytes(StandardCharsets.UTF_8));
        ByteBuffer raw = ByteBuffer.allocate(m.length * m[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : m) for (float x : row) raw.putFloat(x);
        fBytes(t, 9, raw.array());
        return t.toByteArray();
    }

    private static byte[] longTensor(String name, long[] v) {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        fInt(t, 1, v.length);
        fInt(t, 2, 7); // INT64
        fBytes(t, 8, name.getBytes(StandardCharsets.UTF_8));
        ByteBuffer raw = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) raw.putLong(x);
        fBytes(t, 9, raw.array());
        return t.toByteArray();
    }

    private static byte[] valueInfo(String name, int elemType, Object[] dims) {
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        for (Object d : dims) {
            ByteArrayOutputStream dim = new ByteArrayOutputStream();
            if (d instanceof Long l) fInt(dim, 1, l);
            else fBytes(dim, 2, ((String) d).getBytes(StandardCharsets.UTF_8));
            fBytes(shape, 1, dim.toByteArray());
        }
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        fInt(tensor, 1, elemType);
        fBytes(tensor, 2, shape.toByteArray());
        ByteArrayOutputStream type = new ByteArrayOutputStream();
        fBytes(type, 1, tensor.toByteArray());
        ByteArrayOutputStream vi = new ByteArrayOutputStream();
        fBytes(vi, 1, name.getBytes(StandardCharsets.UTF_8));
        fBytes(vi, 2, type.toByteArray());
        return vi.toByteArray();
    }

    private static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7FL) != 0) {
            o.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }

    private static void fInt(ByteArrayOutputStream o, int field, long v) {
        varint(o, (long) field << 3);
        varint(o, v);
    }

    private static void fBytes(ByteArrayOutputStream o, int field, byte[] b) {
        varint(o, ((long) field << 3) | 2);
        varint(o, b.length);
        o.writeBytes(b);
    }
}
