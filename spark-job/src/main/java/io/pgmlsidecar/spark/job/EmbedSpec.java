package io.pgmlsidecar.spark.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One bulk embedding as the sidecar sends it: the connection (as {@link ReadSpec}: the short-lived role, then
 * {@code SET ROLE} to the caller), what to read, the staging table to fill, and the model as the sidecar runs it.
 */
record EmbedSpec(ReadSpec connection, String from, String reference, String text, String where, String staging, Model model)
        implements Serializable {

    /** The model's files and settings, resolved by the sidecar (see the planner's EmbeddingModelFiles). */
    record Model(String onnx, String tokenizer, int maxLength, String padToken, List<String> pooling, boolean normalize,
                 boolean preferPooledOutput, String prompt, Integer truncateDim, boolean normalizeAfter, int batchSize)
            implements Serializable {}

    static EmbedSpec of(JsonNode n) {
        ReadSpec connection = new ReadSpec(n.path("jdbcUrl").asText(), n.path("user").asText(), n.path("password").asText(),
                n.path("role").asText(), n.path("relation").asText(), "", Math.max(1, n.path("partitions").asInt(2)));
        JsonNode m = n.path("model");
        List<String> pooling = new ArrayList<>();
        m.path("pooling").forEach(p -> pooling.add(p.asText()));
        Model model = new Model(m.path("onnx").asText(), m.path("tokenizer").asText(), m.path("maxLength").asInt(),
                text(m, "padToken"), pooling, m.path("normalize").asBoolean(), m.path("preferPooledOutput").asBoolean(),
                text(m, "prompt"), m.path("truncateDim").isInt() ? m.path("truncateDim").asInt() : null,
                m.path("normalizeAfter").asBoolean(), Math.max(1, m.path("batchSize").asInt(32)));
        return new EmbedSpec(connection, n.path("from").asText(), n.path("reference").asText(), n.path("text").asText(),
                text(n, "where"), n.path("staging").asText(), model);
    }

    private static String text(JsonNode n, String field) {
        return n.path(field).isTextual() ? n.path(field).asText() : null;
    }
}
