package io.pgmlsidecar.spark.job;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgmlsidecar.ml.pipelines.EntityAggregation;
import io.pgmlsidecar.ml.pipelines.TextClassification;
import io.pgmlsidecar.ml.pipelines.TokenClassification;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One bulk embedding or text classification as the sidecar sends it: the connection (as {@link ReadSpec}: the short-lived role, then
 * {@code SET ROLE} to the caller), what to read, the staging table to fill, and the model as the sidecar runs it.
 */
record BulkSpec(ReadSpec connection, String from, String reference, String text, String where, String staging, Model model)
        implements Serializable {

    /** The staging table's result column: the vector, or a classifier's jsonb (as the sidecar's BulkRequest names it). */
    String resultColumn() {
        return model.classifies() ? "pgml_result" : "pgml_vector";
    }

    /**
     * The model's files and settings, resolved by the sidecar (see the planner's EmbeddingModelFiles and ml-runtime's
     * ClassifierFiles). {@code textHead} or {@code tokenHead} is set for a text or token classifier (the call's
     * arguments as the sidecar's pipeline read them; inputs are cut to {@code truncateAt} tokens), neither for an
     * embedding model.
     */
    record Model(String onnx, String tokenizer, int maxLength, String padToken, List<String> pooling, boolean normalize,
                 boolean preferPooledOutput, String prompt, Integer truncateDim, boolean normalizeAfter, int batchSize,
                 int truncateAt, TextClassification textHead, TokenClassification tokenHead) implements Serializable {

        boolean classifies() {
            return textHead != null || tokenHead != null;
        }
    }

    static BulkSpec of(JsonNode n) {
        ReadSpec connection = new ReadSpec(n.path("jdbcUrl").asText(), n.path("user").asText(), n.path("password").asText(),
                n.path("role").asText(), n.path("relation").asText(), "", Math.max(1, n.path("partitions").asInt(2)));
        JsonNode m = n.path("model");
        List<String> pooling = new ArrayList<>();
        m.path("pooling").forEach(p -> pooling.add(p.asText()));
        Model model = new Model(m.path("onnx").asText(), m.path("tokenizer").asText(), m.path("maxLength").asInt(),
                text(m, "padToken"), pooling, m.path("normalize").asBoolean(), m.path("preferPooledOutput").asBoolean(),
                text(m, "prompt"), m.path("truncateDim").isInt() ? m.path("truncateDim").asInt() : null,
                m.path("normalizeAfter").asBoolean(), Math.max(1, m.path("batchSize").asInt(32)), m.path("truncateAt").asInt(m.path("maxLength").asInt()),
                "text-classification".equals(m.path("kind").asText()) ? textHead(m) : null,
                "token-classification".equals(m.path("kind").asText()) ? tokenHead(m) : null);
        return new BulkSpec(connection, n.path("from").asText(), n.path("reference").asText(), n.path("text").asText(),
                text(n, "where"), n.path("staging").asText(), model);
    }

    private static TextClassification textHead(JsonNode m) {
        return new TextClassification(strings(m.path("labels")), m.path("function").asText(), m.path("topK").isInt() ? m.path("topK").asInt() : null,
                m.path("legacy").asBoolean());
    }

    private static TokenClassification tokenHead(JsonNode m) {
        return new TokenClassification(strings(m.path("labels")), EntityAggregation.valueOf(m.path("aggregation").asText()),
                new java.util.HashSet<>(strings(m.path("ignore"))), m.path("truncateAt").asInt(), m.path("stride").isInt() ? m.path("stride").asInt() : null,
                text(m, "subwordPrefix"), text(m, "unkToken"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(l -> out.add(l.asText()));
        return out;
    }

    private static String text(JsonNode n, String field) {
        return n.path(field).isTextual() ? n.path(field).asText() : null;
    }
}
