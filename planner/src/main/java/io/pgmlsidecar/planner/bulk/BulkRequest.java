package io.pgmlsidecar.planner.bulk;

import io.pgmlsidecar.ml.transformers.ClassifierFiles;

/**
 * One bulk embedding or text classification: read {@code SELECT ref.ctid, (text) FROM from [WHERE where]} in
 * {@code database} as {@code callerRole} (never broader), run the model on {@code text} and write
 * {@code (ctid, hash of the text, result)} into {@code staging} (schema-qualified, quoted), which the job creates as the
 * caller. Exactly one of {@code embedding} and {@code classifier} is set: the result is the vector
 * ({@code pgml_vector real[]}) or the pipeline's JSON ({@code pgml_result jsonb}).
 *
 * @param relation  the table (regclass text) whose heap blocks are cut into ranges
 * @param from      the FROM item as the statement wrote it ({@code docs d}, {@code ONLY public.docs})
 * @param reference how the statement refers to the table ({@code d}, {@code docs})
 * @param where     the statement's predicate without {@code WHERE}, or null
 */
public record BulkRequest(String database, String callerRole, String relation, String from, String reference, String text,
                          String where, String staging, EmbeddingModelFiles embedding, ClassifierFiles classifier) {

    /** The staging table's result column. */
    public String resultColumn() {
        return classifier != null ? "pgml_result" : "pgml_vector";
    }
}
