package io.pgmlsidecar.dashboard;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The registry as the pages show it, read from PostgresML's tables in schema {@code pgml} on the
 * role's own connection. PostgreSQL builds each answer as one JSON document, so the rows go to the
 * browser as the database has them, and a table the role may not read fails with PostgreSQL's own
 * error rather than an empty page.
 */
final class RegistryReads {
    private RegistryReads() {}

    /** The metric pgml.train deploys and searches by, per task (ml-runtime's Task); text tasks by their tuning scores. */
    static final String KEY_METRIC = "CASE %s WHEN 'regression' THEN 'r2' WHEN 'classification' THEN 'f1' "
            + "WHEN 'clustering' THEN 'silhouette' WHEN 'decomposition' THEN 'cumulative_explained_variance' "
            + "WHEN 'text_classification' THEN 'f1' WHEN 'text_pair_classification' THEN 'f1' ELSE 'loss' END";

    private static final String PROJECTS = """
            SELECT coalesce(json_agg(x ORDER BY x.name), '[]')::text FROM (
              SELECT p.id, p.name, p.task::text AS task, %s AS key_metric,
                     d.model_id AS deployed_model_id, dm.algorithm AS deployed_algorithm, d.created_at AS deployed_at,
                     CASE WHEN jsonb_typeof(dm.metrics -> (%s)) = 'number' THEN (dm.metrics ->> (%s))::float8 END AS deployed_metric,
                     (SELECT max(m.created_at) FROM pgml.models m WHERE m.project_id = p.id) AS last_trained,
                     (SELECT count(*) FROM pgml.models m WHERE m.project_id = p.id) AS models
              FROM pgml.projects p
              LEFT JOIN LATERAL (SELECT * FROM pgml.deployments d WHERE d.project_id = p.id
                                 ORDER BY d.created_at DESC, d.id DESC LIMIT 1) d ON true
              LEFT JOIN pgml.models dm ON dm.id = d.model_id) x
            """.formatted(KEY_METRIC.formatted("p.task::text"), KEY_METRIC.formatted("p.task::text"), KEY_METRIC.formatted("p.task::text"));

    private static final String PROJECT = """
            SELECT CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object(
              'project', json_build_object('id', p.id, 'name', p.name, 'task', p.task::text, 'created_at', p.created_at,
                                           'key_metric', %s),
              'models', (SELECT coalesce(json_agg(m ORDER BY m.id), '[]') FROM (
                  SELECT id, algorithm, status, runtime::text AS runtime, hyperparams, metrics, search, search_params,
                         snapshot_id, num_features, created_at FROM pgml.models WHERE project_id = p.id) m),
              'deployments', (SELECT coalesce(json_agg(d ORDER BY d.created_at DESC, d.id DESC), '[]') FROM (
                  SELECT d.id, d.model_id, d.strategy::text AS strategy, d.created_at, m.algorithm
                  FROM pgml.deployments d LEFT JOIN pgml.models m ON m.id = d.model_id WHERE d.project_id = p.id) d),
              'can_deploy', has_table_privilege('pgml.deployments', 'INSERT'))::text END
            FROM (SELECT 1) one LEFT JOIN pgml.projects p ON p.id = ?
            """.formatted(KEY_METRIC.formatted("p.task::text"));

    private static final String SNAPSHOT = """
            SELECT row_to_json(s)::text FROM (
              SELECT id, relation_name, y_column_name, test_size, test_sampling::text AS test_sampling, status, columns,
                     analysis, materialized, created_at,
                     (SELECT coalesce(json_agg(json_build_object('id', m.id, 'project_id', m.project_id,
                                                                 'algorithm', m.algorithm) ORDER BY m.id), '[]')
                      FROM pgml.models m WHERE m.snapshot_id = sn.id) AS models
              FROM pgml.snapshots sn WHERE id = ?) s
            """;

    private static final String TUNING = """
            SELECT coalesce(json_agg(x ORDER BY x.model_id), '[]')::text FROM (
              SELECT l.model_id, l.project_id, p.name AS project, min(l.created_at) AS started,
                     json_agg(l.logs ORDER BY l.id) AS entries
              FROM pgml.logs l LEFT JOIN pgml.projects p ON p.id = l.project_id
              GROUP BY l.model_id, l.project_id, p.name) x
            """;

    static String projects(Connection c) throws SQLException {
        return one(c, PROJECTS, null);
    }

    /** Null when there is no such project or the role's row-level policies hide it. */
    static String project(Connection c, long id) throws SQLException {
        return one(c, PROJECT, id);
    }

    static String snapshot(Connection c, long id) throws SQLException {
        return one(c, SNAPSHOT, id);
    }

    static String tuningRuns(Connection c) throws SQLException {
        return one(c, TUNING, null);
    }

    private static String one(Connection c, String sql, Long id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (id != null) {
                s.setLong(1, id);
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }
}
