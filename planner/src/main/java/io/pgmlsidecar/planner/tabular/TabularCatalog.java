package io.pgmlsidecar.planner.tabular;

import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.planner.values.PgTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The model registry (PostgresML's pgml.projects, snapshots, models, files, deployments), read
 * and written through the client's own session, inside its transaction: PostgreSQL's permissions
 * hold, and a rollback undoes a training run's rows.
 */
public final class TabularCatalog {

    public record Project(long id, String name, String task) {}

    public record DeployedModel(long modelId, long projectId, String projectName, String task, String algorithm) {}

    private final BackendClient backend;

    public TabularCatalog(BackendClient backend) {
        this.backend = backend;
    }

    public Project project(String name) {
        List<String[]> rows = BackendSteps.query(backend, "SELECT id, name, task::text FROM pgml.projects WHERE name = $1", name);
        return rows.isEmpty() ? null : new Project(Long.parseLong(rows.get(0)[0]), rows.get(0)[1], rows.get(0)[2]);
    }

    public Project createProject(String name, String task) {
        String[] r = BackendSteps.query(backend,
                "INSERT INTO pgml.projects (name, task) VALUES ($1, $2::pgml.task) RETURNING id", name, task).get(0);
        return new Project(Long.parseLong(r[0]), name, task);
    }

    /** The relation and label of the project's last snapshot, for train without relation_name. */
    String[] lastSnapshot(long projectId) {
        List<String[]> rows = BackendSteps.query(backend, "SELECT s.relation_name, s.y_column_name[1], s.test_size::text, "
                + "s.test_sampling::text FROM pgml.snapshots s JOIN pgml.models m ON m.snapshot_id = s.id "
                + "WHERE m.project_id = $1 ORDER BY s.id DESC LIMIT 1", projectId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    long createSnapshot(String relation, String yColumn, double testSize, String sampling, String columnsJson, long samples) {
        return Long.parseLong(BackendSteps.query(backend, "INSERT INTO pgml.snapshots (relation_name, y_column_name, test_size, "
                + "test_sampling, status, columns, analysis, materialized) VALUES ($1, CASE WHEN $2::text IS NULL THEN NULL "
                + "ELSE ARRAY[$2::text] END, $3::float4, $4::pgml.sampling, 'successful', $5::jsonb, $6::jsonb, false) RETURNING id",
                relation, yColumn, testSize, sampling, columnsJson, "{\"samples\": " + samples + "}").get(0)[0]);
    }

    /**
     * A trained model's row, its bytes in pgml.files and, when {@code deploy}, its new_score deployment,
     * as one statement (one round trip after the fit). The bytes go as a binary bytea parameter.
     */
    public long recordModel(long projectId, long snapshotId, int numFeatures, String algorithm, String hyperparams, String metrics,
                            String search, String searchParams, String searchArgs, byte[] bytes, boolean deploy) {
        String[] text = {Long.toString(projectId), Long.toString(snapshotId), Integer.toString(numFeatures), algorithm, hyperparams,
                metrics, search, searchParams, searchArgs};
        byte[][] values = new byte[text.length + 2][];
        for (int i = 0; i < text.length; i++) {
            values[i] = text[i] == null ? null : text[i].getBytes(StandardCharsets.UTF_8);
        }
        values[9] = bytes;
        values[10] = (deploy ? "t" : "f").getBytes(StandardCharsets.UTF_8);
        int[] types = new int[values.length];
        types[9] = PgTypes.BYTEA;
        short[] formats = new short[values.length];
        formats[9] = 1;
        List<byte[][]> rows = new ArrayList<>();
        backend.step("WITH model AS (INSERT INTO pgml.models (project_id, snapshot_id, num_features, algorithm, runtime, hyperparams, "
                + "status, metrics, search, search_params, search_args) VALUES ($1::bigint, $2::bigint, $3::int, $4, 'rust', $5::jsonb, "
                + "'successful', $6::jsonb, $7, $8::jsonb, $9::jsonb) RETURNING id), "
                + "file AS (INSERT INTO pgml.files (model_id, path, part, data) SELECT id, 'estimator.rmp', 0, $10 FROM model), "
                + "deployment AS (INSERT INTO pgml.deployments (project_id, model_id, strategy) SELECT $1::bigint, id, 'new_score' "
                + "FROM model WHERE $11::bool) "
                + "SELECT id FROM model", types, formats, values, BackendSteps.collect(rows));
        return Long.parseLong(new String(rows.get(0)[0], StandardCharsets.UTF_8));
    }

    byte[] loadModel(long modelId) {
        backend.prepare("", "SELECT data FROM pgml.files WHERE model_id = $1 ORDER BY part", new int[] {PgTypes.INT8});
        backend.bind("", "", new short[0], new byte[][] {Long.toString(modelId).getBytes(StandardCharsets.UTF_8)}, new short[] {1});
        List<byte[][]> rows = new ArrayList<>();
        backend.execute("", 0, BackendSteps.collect(rows));
        if (rows.isEmpty()) {
            throw new PgException("42704", "model " + modelId + " has no stored estimator in pgml.files",
                    "Train the project again, or deploy another model.");
        }
        return rows.get(0)[0];
    }

    /** A model row of pgml.tune: no search, the given runtime ('rust' for models served here, 'openai' for remote ones). */
    public long createModel(long projectId, long snapshotId, int numFeatures, String algorithm, String runtime, String hyperparams,
                            String metrics) {
        return Long.parseLong(BackendSteps.query(backend, "INSERT INTO pgml.models (project_id, snapshot_id, num_features, "
                + "algorithm, runtime, hyperparams, status, metrics, search_params, search_args) VALUES ($1::bigint, $2::bigint, "
                + "$3::int, $4, $5::pgml.runtime, $6::jsonb, 'successful', $7::jsonb, '{}', '{}') RETURNING id",
                projectId, snapshotId, numFeatures, algorithm, runtime, hyperparams, metrics).get(0)[0]);
    }

    public void deploy(long projectId, long modelId, String strategy) {
        BackendSteps.query(backend, "INSERT INTO pgml.deployments (project_id, model_id, strategy) VALUES ($1::bigint, $2::bigint, "
                + "$3::pgml.strategy) RETURNING id", projectId, modelId, strategy);
    }

    /** The current deployment of a project (its most recent deployments row), or null. */
    public DeployedModel deployed(String projectName) {
        List<String[]> rows = BackendSteps.query(backend, "SELECT d.model_id, p.id, p.name, p.task::text, m.algorithm "
                + "FROM pgml.projects p JOIN pgml.deployments d ON d.project_id = p.id JOIN pgml.models m ON m.id = d.model_id "
                + "WHERE p.name = $1 ORDER BY d.created_at DESC, d.id DESC LIMIT 1", projectName);
        return rows.isEmpty() ? null : deployedModel(rows.get(0));
    }

    public DeployedModel model(long modelId) {
        List<String[]> rows = BackendSteps.query(backend, "SELECT m.id, p.id, p.name, p.task::text, m.algorithm FROM pgml.models m "
                + "JOIN pgml.projects p ON p.id = m.project_id WHERE m.id = $1::bigint", modelId);
        return rows.isEmpty() ? null : deployedModel(rows.get(0));
    }

    /** Metrics JSON of the project's deployed model, or null. */
    public String deployedMetrics(long projectId) {
        List<String[]> rows = BackendSteps.query(backend, "SELECT m.metrics::text FROM pgml.deployments d JOIN pgml.models m "
                + "ON m.id = d.model_id WHERE d.project_id = $1::bigint ORDER BY d.created_at DESC, d.id DESC LIMIT 1", projectId);
        return rows.isEmpty() ? null : rows.get(0)[0];
    }

    /** The model a deploy strategy picks, or null when none qualifies. */
    Long candidate(long projectId, String strategy, String algorithm, String targetMetric) {
        String filter = algorithm == null ? "" : " AND m.algorithm = $2";
        String sql = switch (strategy) {
            // numeric ordering of the metric (PostgresML orders the text, so -0.5 beats 0.4)
            case "best_score" -> "SELECT m.id FROM pgml.models m WHERE m.project_id = $1::bigint" + filter
                    + " ORDER BY (m.metrics->>'" + targetMetric + "')::float8 DESC NULLS LAST, m.id DESC LIMIT 1";
            case "most_recent" -> "SELECT m.id FROM pgml.models m WHERE m.project_id = $1::bigint" + filter
                    + " ORDER BY m.created_at DESC, m.id DESC LIMIT 1";
            case "rollback" -> "SELECT d.model_id FROM pgml.deployments d JOIN pgml.models m ON m.id = d.model_id "
                    + "WHERE d.project_id = $1::bigint" + filter + " AND d.model_id <> (SELECT model_id FROM pgml.deployments "
                    + "WHERE project_id = $1::bigint ORDER BY created_at DESC, id DESC LIMIT 1) ORDER BY d.created_at DESC, d.id DESC LIMIT 1";
            default -> throw new PgException("22023", "invalid strategy \"" + strategy + "\"",
                    "Use best_score, most_recent or rollback, or pgml.deploy(model_id).");
        };
        List<String[]> rows = algorithm == null ? BackendSteps.query(backend, sql, projectId)
                : BackendSteps.query(backend, sql, projectId, algorithm);
        return rows.isEmpty() ? null : Long.parseLong(rows.get(0)[0]);
    }

    private static DeployedModel deployedModel(String[] r) {
        return new DeployedModel(Long.parseLong(r[0]), Long.parseLong(r[1]), r[2], r[3], r[4]);
    }
}
