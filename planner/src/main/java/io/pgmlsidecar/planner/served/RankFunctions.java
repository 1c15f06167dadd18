package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.planner.functions.EmbedCalls;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.strategy.SetFunctionTables;
import io.pgmlsidecar.planner.transform.LocalTransforms;
import io.pgmlsidecar.planner.values.PgFloats;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pgml.rank(transformer, query, documents text[], kwargs) → TABLE(corpus_id bigint, score float8,
 * text text): with an embedding model, documents ordered by the cosine similarity of their
 * embeddings to the query's (corpus_id is the 0-based position in documents). kwargs top_k and
 * return_documents as sentence-transformers' rank takes them; the other keys go to the embedding.
 * With a cross-encoder (a sequence classifier with one logit) each (query, document) pair is scored
 * instead, with the sigmoid of its logit, as sentence-transformers' CrossEncoder.rank does.
 */
final class RankFunctions {
    private RankFunctions() {}

    static void register(EmbedCalls embed, LocalTransforms crossEncoders, AloneForms alone, SetCalls sets) {
        alone.add(FunctionRegistry.RANK, AloneForms.table(List.of(AloneForms.column("corpus_id", PgTypes.INT8),
                AloneForms.column("score", PgTypes.FLOAT8), AloneForms.column("text", PgTypes.TEXT)),
                (s, a) -> rank(s, embed, crossEncoders, a)));
        // in any other query shape (a column list, WHERE, LATERAL over a table of queries): two passes
        sets.add(FunctionRegistry.RANK, new SetFunctionTables.Shape("rank", List.of("corpus_id", "score", "text"),
                List.of("bigint", "double precision", "text")), (s, a) -> rank(s, embed, crossEncoders, a));
    }

    private static List<String[]> rank(SessionContext session, EmbedCalls embed, LocalTransforms crossEncoders, List<String> a) {
        if (a.get(0) == null || a.get(1) == null || a.get(2) == null || a.get(3) == null) {
            return List.of(); // STRICT
        }
        List<String> documents = TextArrays.parse(a.get(2));
        Map<String, Object> kwargs = new LinkedHashMap<>(EmbedCalls.kwargs(a.get(3)));
        Object topK = kwargs.remove("top_k");
        boolean returnDocuments = !Boolean.FALSE.equals(kwargs.remove("return_documents"));
        if (topK != null && !(topK instanceof Number)) {
            throw new PgException(PgError.error("22023", "top_k must be a number, got " + topK, "e.g. '{\"top_k\": 5}'"));
        }
        record Scored(int id, double score) {}
        List<Scored> scored = new ArrayList<>();
        if (crossEncoders.isCrossEncoder(a.get(0))) {
            double[] scores = crossEncoders.pairScores(session, a.get(0), a.get(1), documents);
            for (int i = 0; i < scores.length; i++) {
                scored.add(new Scored(i, scores[i]));
            }
        } else {
            List<String> inputs = new ArrayList<>(documents.size() + 1);
            inputs.add(a.get(1));
            inputs.addAll(documents);
            float[][] v = embed.embedAll(session, a.get(0), inputs, io.pgmlsidecar.planner.values.JsonbText.of(kwargs));
            for (int i = 0; i < documents.size(); i++) {
                if (v[i + 1] != null) {
                    scored.add(new Scored(i, cosine(v[0], v[i + 1])));
                }
            }
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparingInt(Scored::id));
        int limit = topK == null ? scored.size() : Math.max(0, Math.min(scored.size(), ((Number) topK).intValue()));
        List<String[]> rows = new ArrayList<>(limit);
        for (Scored r : scored.subList(0, limit)) {
            rows.add(new String[] {Integer.toString(r.id()), PgFloats.toText(r.score()), returnDocuments ? documents.get(r.id()) : null});
        }
        return rows;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
