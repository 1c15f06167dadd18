package io.pgmlsidecar.planner.transform;

import io.pgmlsidecar.ml.transformers.TransformService;
import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.planner.tune.TunedModelFiles;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.file.Path;
import java.util.List;

/** A project tuned with pgml.tune named where a model is expected (pgml.transform's task model). */
final class TunedProjects {
    private TunedProjects() {}

    /** The local copy of the project's deployed tuned model, or null when {@code name} is no such project. */
    static Path directory(SessionContext session, String name, TransformService runtime) {
        List<String[]> rows = BackendSteps.query(session.backend(), "SELECT d.model_id FROM pgml.projects p "
                + "JOIN pgml.deployments d ON d.project_id = p.id JOIN pgml.models m ON m.id = d.model_id "
                + "WHERE p.name = $1 AND m.algorithm = 'transformers' AND m.runtime = 'rust' "
                + "ORDER BY d.created_at DESC, d.id DESC LIMIT 1", name);
        if (rows.isEmpty()) {
            return null;
        }
        String database = session.startupParameters().getOrDefault("database", session.startupParameters().get("user"));
        return TunedModelFiles.materialize(session.backend(), runtime.config().workDir().resolve("tuned"), database,
                Long.parseLong(rows.get(0)[0]));
    }
}
