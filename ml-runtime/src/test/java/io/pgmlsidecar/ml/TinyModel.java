package io.pgmlsidecar.ml;

import io.pgmlsidecar.testmodels.OnnxGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    // ---------------------------------------------------------------- ONNX graph

    public byte[] onnx() {
        OnnxGraph g = new OnnxGraph("tiny-bert");
        for (String in : List.of("input_ids", "attention_mask", "token_type_ids")) {
            g.input(in, OnnxGraph.INT64, "batch", "seq");
        }
        String embeddings = g.op("Add", g.op("Gather", g.floats("word_emb", words), "input_ids"),
                g.op("Gather", g.floats("type_emb", types), "token_type_ids"));
        String mask = g.op("Unsqueeze", g.op("Cast", Map.of("to", 1L), "attention_mask"), g.longs("axes", -1));
        g.op("Mul", List.of(embeddings, mask), List.of("last_hidden_state"), Map.of());
        g.output("last_hidden_state", OnnxGraph.FLOAT, "batch", "seq", DIM);
        return g.toBytes();
    }
}
