package io.pgmlsidecar.planner.bulk;

/**
 * One bulk embedding: read {@code SELECT ref.ctid, (text) FROM from [WHERE where]} in {@code database} as
 * {@code callerRole} (never broader), embed {@code text} with {@code model}, and write {@code (ctid, hash of the text,
 * vector)} into {@code staging} (schema-qualified, quoted), which the job creates as the caller.
 *
 * @param relation  the table (regclass text) whose heap blocks are cut into ranges
 * @param from      the FROM item as the statement wrote it ({@code docs d}, {@code ONLY public.docs})
 * @param reference how the statement refers to the table ({@code d}, {@code docs})
 * @param where     the statement's predicate without {@code WHERE}, or null
 */
public record BulkEmbedRequest(String database, String callerRole, String relation, String from, String reference, String text,
                               String where, String staging, EmbeddingModelFiles model) {}
