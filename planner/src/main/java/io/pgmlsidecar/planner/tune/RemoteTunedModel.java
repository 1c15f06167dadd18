package io.pgmlsidecar.planner.tune;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A model fine-tuned by a remote provider, as the project's model refers to it: kept in pgml.files
 * as {@code remote.json} (no weights live here), so every sidecar in front of the database can call it.
 *
 * @param endpoint       the remote model (pgml.remote_models name or openai:…) whose endpoint serves it
 * @param baseModel      the provider model that was tuned
 * @param fineTunedModel the provider's name of the tuned model
 * @param jobId          the fine-tuning job
 */
record RemoteTunedModel(String endpoint, String baseModel, String fineTunedModel, String jobId) {
    static final String PATH = "remote.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    static void store(BackendClient backend, long modelId, RemoteTunedModel model) {
        try {
            BackendSteps.query(backend, "INSERT INTO pgml.files (model_id, path, part, data) VALUES ($1::bigint, $2, 0, "
                    + "convert_to($3, 'UTF8')) RETURNING id", modelId, PATH, JSON.writeValueAsString(model));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The remote model of {@code modelId}, or null when it is not a remotely tuned model. */
    static RemoteTunedModel load(BackendClient backend, long modelId) {
        List<String[]> rows = BackendSteps.query(backend, "SELECT convert_from(data, 'UTF8') FROM pgml.files "
                + "WHERE model_id = $1::bigint AND path = $2 ORDER BY part LIMIT 1", modelId, PATH);
        if (rows.isEmpty()) {
            return null;
        }
        try {
            return JSON.readValue(rows.get(0)[0], RemoteTunedModel.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
