package io.pgmlsidecar.planner.transform;

import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;

/**
 * PostgresML's session setting {@code pgml.huggingface_whitelist} (comma-separated model names):
 * when set, transform and transform_stream only run models on it.
 */
public final class HuggingFaceWhitelist {
    private HuggingFaceWhitelist() {}

    public static void check(SessionContext session, String model) {
        String list = BackendSteps.query(session.backend(), "SELECT current_setting('pgml.huggingface_whitelist', true)").get(0)[0];
        if (list == null || list.isBlank()) {
            return;
        }
        for (String allowed : list.split(",")) {
            if (allowed.trim().equals(model)) {
                return;
            }
        }
        throw new PgException(PgError.error("42501", "model \"" + model + "\" is not in pgml.huggingface_whitelist",
                "Add it: SET pgml.huggingface_whitelist = '" + list + "," + model + "'; or RESET pgml.huggingface_whitelist."));
    }
}
