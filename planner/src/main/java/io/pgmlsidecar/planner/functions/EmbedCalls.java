package io.pgmlsidecar.planner.functions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.remote.Endpoint;
import io.pgmlsidecar.planner.remote.RemoteEmbeddings;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs pgml.embed for many argument rows with as few model calls as possible: rows are grouped
 * by (model, kwargs) and each group goes to the runtime as one list. STRICT like PostgresML's
 * function: any NULL argument gives a NULL vector.
 */
public final class EmbedCalls {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmbeddingModels models;
    private final RemoteEmbeddings remote;

    /** {@code remote} may be null: then every model is local. */
    public EmbedCalls(EmbeddingModels models, RemoteEmbeddings remote) {
        this.models = models;
        this.remote = remote;
    }

    /** Each row is {transformer, text, kwargs-json}; returns one vector (or null) per row. */
    public float[][] embedRows(SessionContext session, List<String[]> rows) {
        float[][] out = new float[rows.size()][];
        record Group(String model, String kwargs) {}
        Map<Group, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            if (r[0] == null || r[1] == null || r[2] == null) {
                continue;
            }
            groups.computeIfAbsent(new Group(r[0], r[2]), g -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<Group, List<Integer>> e : groups.entrySet()) {
            // the same text appears once in the model call (constant arguments repeat on every row)
            Map<String, Integer> slotOfText = new LinkedHashMap<>();
            for (int i : e.getValue()) {
                slotOfText.putIfAbsent(rows.get(i)[1], slotOfText.size());
            }
            float[][] vectors = embed(session, e.getKey().model(), new ArrayList<>(slotOfText.keySet()), modelKwargs(e.getKey().kwargs()));
            for (int i : e.getValue()) {
                out[i] = vectors[slotOfText.get(rows.get(i)[1])];
            }
        }
        return out;
    }

    /**
     * A local model by its name, else a remote one (pgml.remote_models), else the local runtime's
     * "not found"; {@code openai:<model>} is always remote. Local models are tried first, so their
     * calls cost no registry look-up.
     */
    private float[][] embed(SessionContext session, String model, List<String> texts, Map<String, Object> kwargs) {
        if (remote != null && RemoteEmbeddings.isShorthand(model)) {
            return remote.embed(remote.endpoint(session, model), texts, kwargs);
        }
        try {
            return models.embed(model, texts, kwargs);
        } catch (PgException notLocal) {
            Endpoint endpoint = remote == null || !"42704".equals(notLocal.error().sqlState()) ? null : remote.endpoint(session, model);
            if (endpoint == null) {
                throw notLocal;
            }
            return remote.embed(endpoint, texts, kwargs);
        }
    }

    /** The batch overload: one model call for all inputs. */
    public float[][] embedAll(SessionContext session, String model, List<String> inputs, String kwargsJson) {
        if (model == null || inputs == null || kwargsJson == null) {
            return new float[0][];
        }
        List<String[]> rows = new ArrayList<>(inputs.size());
        for (String text : inputs) {
            rows.add(new String[] {model, text, kwargsJson});
        }
        return embedRows(session, rows);
    }

    /**
     * The kwargs the model sees: {@code "engine": "local"} chooses where an UPDATE embeds and is no model argument;
     * another engine here means a statement its engine does not serve.
     */
    static Map<String, Object> modelKwargs(String json) {
        Map<String, Object> kwargs = kwargs(json);
        Object engine = kwargs.remove("engine");
        if (engine != null && !"local".equals(engine) && !"sidecar".equals(engine)) {
            throw new PgException("0A000", "the " + engine + " engine of pgml.embed serves UPDATE table SET col = pgml.embed(…) only",
                    "Write the statement as UPDATE t SET col = pgml.embed(model, text_column, kwargs) [WHERE predicate on t], "
                            + "or leave \"engine\" out of kwargs to embed in the sidecar.");
        }
        return kwargs;
    }

    public static Map<String, Object> kwargs(String json) {
        try {
            Object parsed = JSON.readValue(json, Object.class);
            if (!(parsed instanceof Map)) {
                throw new PgException("22023", "kwargs must be a JSON object, got: " + json,
                        "Pass e.g. '{\"normalize_embeddings\": true}'.");
            }
            return JSON.convertValue(parsed, new TypeReference<Map<String, Object>>() {});
        } catch (JsonProcessingException e) {
            throw new PgException("22P02", "invalid input syntax for type json: " + e.getOriginalMessage(),
                    "kwargs must be a JSON object such as '{}'.");
        }
    }
}
