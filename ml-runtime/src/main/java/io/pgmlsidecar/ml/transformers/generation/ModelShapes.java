package io.pgmlsidecar.ml.transformers.generation;

import com.fasterxml.jackson.databind.JsonNode;

/** Head count and head size of a model's key/value cache, from config.json (used where graphs leave them symbolic). */
final class ModelShapes {
    private ModelShapes() {}

    /** {heads, headSize}; 0 where config.json does not say. */
    static int[] heads(JsonNode config) {
        int heads = first(config, "num_key_value_heads", "n_head", "num_attention_heads", "num_heads", "decoder_attention_heads");
        int hidden = first(config, "hidden_size", "n_embd", "d_model");
        int headSize = first(config, "head_dim", "d_kv");
        if (headSize == 0) {
            int attentionHeads = first(config, "num_attention_heads", "n_head", "num_heads", "decoder_attention_heads");
            if (attentionHeads > 0 && hidden > 0) headSize = hidden / attentionHeads;
        }
        return new int[] {heads, headSize};
    }

    /** Absolute position embeddings of a decoder-only model (max_position_embeddings, n_positions); unbounded when absent. */
    static int maxPositions(JsonNode config) {
        int n = first(config, "max_position_embeddings", "n_positions", "max_sequence_length", "seq_length");
        return n > 0 ? n : Integer.MAX_VALUE;
    }

    private static int first(JsonNode config, String... keys) {
        for (String k : keys) {
            if (config.path(k).isIntegralNumber()) return config.get(k).asInt();
        }
        return 0;
    }
}
